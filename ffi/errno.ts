/**
 * Worker source text shared by the workers that call libc through bun:ffi (syncfs.ts, probe.ts):
 * `errnoError(n, what)` is the Error a failed call throws, with its errno name as `code`, as
 * node:fs would give it (an unknown number becomes EIO), so callers map it like any fs error.
 */
export const ERRNO_WORKER_SOURCE = `
const errnoNames = new Map(Object.entries(require("node:os").constants.errno).map(([name, n]) => [n, name]));
function errnoError(n, what) {
  const code = errnoNames.get(n) ?? "EIO";
  return Object.assign(new Error(code + ": " + what), { code });
}`;
