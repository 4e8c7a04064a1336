/**
 * syncfs(2) for the fs worker threads (src/storage/sync-workers.ts). Node and Bun have no
 * binding for it, and it blocks for a whole writeback, so it can only run on a worker thread:
 * this is source text the worker evaluates, not a module the main thread calls. It defines
 * `syncfsErrno(fd)`, which returns 0 on success or the errno (thread-local, read through
 * __errno_location right after the call on the same thread), and throws when libc has no
 * syncfs (the caller then keeps per-file fsyncs).
 */
export const SYNCFS_WORKER_SOURCE = `
let syncfsSymbols;
function syncfsErrno(fd) {
  if (syncfsSymbols === undefined) {
    const { dlopen } = require("bun:ffi");
    syncfsSymbols = dlopen("libc.so.6", {
      syncfs: { args: ["i32"], returns: "i32" },
      __errno_location: { args: [], returns: "ptr" },
    }).symbols;
  }
  if (syncfsSymbols.syncfs(fd) === 0) return 0;
  const { read } = require("bun:ffi");
  return read.i32(syncfsSymbols.__errno_location(), 0);
}`;
