/**
 * Runs first (src/main.ts imports it before anything else): `cairn server` re-executes itself
 * once (execve, same PID) with MIMALLOC_PURGE_DELAY=1000. mimalloc, Bun's allocator, gives freed
 * memory back to the kernel after 10 ms by default, so every large buffer of the next request is
 * fresh memory, and first-touch page faults cost 10-18 µs per 4 KiB page on the VMs we measured:
 * with the 1 s delay a 1 MiB GET took 2.6x less CPU. The allocator reads the setting only at
 * process start. Done before the rest of the program loads, the exec costs ~40 ms of start-up
 * instead of ~140. A value the user set is kept (the image and the systemd unit set it), and a
 * failed exec just carries on.
 */
import { execWithEnv } from "../../ffi/reexec";

/** Running as the single executable `bun build --compile` made (its modules live under /$bunfs/). */
export const compiledExecutable = Bun.main.startsWith("/$bunfs/");

function wantsReexec(): boolean {
  if (process.env.MIMALLOC_PURGE_DELAY !== undefined) return false;
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
  execWithEnv(process.execPath, argv, { ...process.env, MIMALLOC_PURGE_DELAY: "1000" });
}
