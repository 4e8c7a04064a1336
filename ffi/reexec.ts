/**
 * Replaces this process with a fresh run of the same program under an extended environment
 * (execve: same PID, so containers and systemd see no new process). The server needs it for
 * settings the allocator reads only at process start (see src/cli/server.ts).
 */
import { dlopen, FFIType, ptr } from "bun:ffi";

function cString(s: string): Buffer {
  return Buffer.from(`${s}\0`, "utf8");
}

/** Pointers to NUL-terminated strings, NULL-terminated; `keep` holds the strings alive. */
function cStringArray(items: string[], keep: Buffer[]): BigUint64Array {
  const out = new BigUint64Array(items.length + 1);
  items.forEach((s, i) => {
    const b = cString(s);
    keep.push(b);
    out[i] = BigInt(ptr(b));
  });
  return out;
}

/** Returns only when execve failed (the caller goes on in this process). */
export function execWithEnv(path: string, argv: string[], env: Record<string, string | undefined>): void {
  let libc: ReturnType<typeof openLibc>;
  try {
    libc = openLibc();
  } catch {
    return;
  }
  const keep: Buffer[] = [];
  const envList = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const file = cString(path);
  const args = cStringArray(argv, keep);
  const envp = cStringArray(envList, keep);
  libc.symbols.execve(ptr(file), ptr(args), ptr(envp));
  libc.close();
}

function openLibc() {
  return dlopen("libc.so.6", { execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 } });
}
