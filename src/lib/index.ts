export * from "./keys";
export * from "./checksums";
export * from "./raw-path";
export * from "./periodic";
export * from "./chunk-release";
export * from "./query";
export * from "./reply";
export * from "./quiet-trim";
