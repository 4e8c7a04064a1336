/** Architecture rules from DESIGN.md §1, enforced by test/arch.test.ts. */
const layers = "(object|s3|auth|iam|bucket|erasure|ec|storage|xlmeta|lib|server|admin|console|client|cli)";
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
    {
      name: "elysia-only-in-server",
      severity: "error",
      from: { pathNot: "^src/server/" },
      to: { path: "node_modules/elysia" },
    },
    {
      name: "bun-ffi-only-in-ffi",
      severity: "error",
      from: { pathNot: "^ffi/" },
      to: { path: "^bun:ffi$" },
    },
    {
      name: "node-fs-only-in-storage",
      severity: "error",
      comment: "Drives own the disk; config loading, the CLI's local paths, the FFI loader, the access log file (opened for appending), the server processes' shared state directory (server/cluster) and the start-up check of the drive paths (server/preflight) are the exceptions.",
      from: { path: "^src/", pathNot: "^src/(storage|server/config|server/access-log|server/preflight|server/cluster|cli|client)" },
      to: { path: "^(node:)?fs(/promises)?$" },
    },
    {
      name: "s3-never-touches-storage",
      severity: "error",
      from: { path: "^src/s3/" },
      to: { path: "^src/(erasure|storage|xlmeta|ec)/|^ffi/" },
    },
    {
      name: "object-imports-only-lib",
      severity: "error",
      from: { path: "^src/object/" },
      to: { path: "^src/", pathNot: "^src/(object|lib)/" },
    },
    {
      name: "lib-is-a-leaf",
      severity: "error",
      from: { path: "^src/lib/" },
      to: { path: "^src/", pathNot: "^src/lib/" },
    },
    {
      name: "ec-is-the-only-ffi-importer",
      severity: "error",
      comment: "Besides the codec: start-up's re-exec, selftest, and storage's libc helpers (syncfs, the listing probes' syscalls, aligned buffers for O_DIRECT and releasing dropped buffers' pages, cross-process byte-range locks).",
      from: { path: "^src/", pathNot: "^src/(ec|cli/selftest|cli/reexec|storage/(sync-workers|probe-workers|direct-writer|range-locks|pages))" },
      to: { path: "^ffi/" },
    },
    {
      name: "no-deep-imports-across-folders",
      severity: "error",
      comment: "Each folder's index.ts is its public surface.",
      from: { path: `^src/${layers}/` },
      to: { path: `^src/${layers}/`, pathNot: [`^src/$1/`, `^src/${layers}/index\\.ts$`] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.ts$" },
    tsPreCompilationDeps: true,
    builtInModules: { add: ["bun", "bun:ffi", "bun:test", "bun:sqlite"] },
  },
};
