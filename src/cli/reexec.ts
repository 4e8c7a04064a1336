/**
 * Runs first (src/main.ts imports it before anything else): `cairn server` re-executes itself
 * once (execve, same PID) with the runtime settings below, which Bun and its allocator read only
 * at process start. Done before the rest of the program loads, the exec costs ~40 ms of start-up
 * instead of ~140. A value the user set is kept (the image and the systemd unit set them all, so
 * they start without the exec), and a failed exec just carries on.
 */
import { execWithEnv } from "../../ffi/reexec";

/**
 * - MIMALLOC_PURGE_DELAY=1000: mimalloc, Bun's allocator, gives freed memory back to the kernel
 *   after 10 ms by default, so every large buffer of the next request is fresh memory, and
 *   first-touch page faults cost 10-18 µs per 4 KiB page on the VMs we measured: with the 1 s
 *   delay a 1 MiB GET took 2.6x less CPU.
 * - UV_THREADPOOL_SIZE=8: Bun's async fs runs on a pool of max(cores, 2) threads, two here. Shard
 *   files are written with O_DIRECT, so each write holds a pool thread until the device has the
 *   bytes: two threads meant at most two shard writes in flight in the whole server. With eight,
 *   PUT 1 MiB at c=32 went from 93 to 109 PUT/s (three alternated rounds each) as the device's
 *   queue grew from 6.5 to 8.1; four gave 101, sixteen 104.
 */
const STARTUP_ENV: Readonly<Record<string, string>> = { MIMALLOC_PURGE_DELAY: "1000", UV_THREADPOOL_SIZE: "8" };

/** Running as the single executable `bun build --compile` made (its modules live under /$bunfs/). */
export const compiledExecutable = Bun.main.startsWith("/$bunfs/");

function wantsReexec(): boolean {
  if (Object.keys(STARTUP_ENV).every((name) => process.env[name] !== undefined)) return false;
  const args = process.argv.slice(2);
  const rest = args[0] === "minio" ? args.slice(1) : args;
  if (rest[0] !== "server" || rest.includes("--help") || rest.includes("-h")) return false;
  // Only as the program itself: never replace a test runner that imports this module.
  return compiledExecutable || /[\\/]src[\\/]main\.ts$/.test(Bun.main);
}

if (wantsReexec()) {
  const argv = compiledExecutable
    ? [process.execPath, ...process.argv.slice(2)]
    : [process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)];
  execWithEnv(process.execPath, argv, { ...STARTUP_ENV, ...process.env });
}
