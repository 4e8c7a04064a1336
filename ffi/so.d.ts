// Shared objects imported `with { type: "file" }` resolve to a path (a $bunfs path once compiled).
declare module "*.so.1" {
  const path: string;
  export default path;
}
declare module "*.so.2" {
  const path: string;
  export default path;
}
