/**
 * Open-file-description byte-range locks (fcntl F_OFD_SETLK, Linux ≥ 3.15): the locks the
 * processes serving one set of drives take on a shared lock file (src/storage/range-locks.ts).
 * Unlike classic POSIX locks they belong to an open file description, not to the process, so two
 * descriptions opened by one process conflict like two processes do, and closing one never drops
 * the locks taken through another. They go when their description closes, a crashed process's
 * included. Non-blocking only: the event loop must never wait inside fcntl.
 */
import { dlopen, read } from "bun:ffi";

const F_OFD_SETLK = 37;
const F_RDLCK = 0;
const F_WRLCK = 1;
const F_UNLCK = 2;
const EACCES = 13;
const EAGAIN = 11;
/** `struct flock` on 64-bit Linux: short l_type, short l_whence, off_t l_start at 8, off_t l_len at 16, pid_t l_pid at 24. */
const FLOCK_SIZE = 32;

let libc: ReturnType<typeof open> | undefined;
function open() {
  return dlopen("libc.so.6", {
    // Variadic in C; with integer and pointer arguments only, the fixed-argument call is the same.
    fcntl: { args: ["i32", "i32", "ptr"], returns: "i32" },
    __errno_location: { args: [], returns: "ptr" },
  }).symbols;
}

/** One reusable argument block: calls are synchronous on the JS thread. */
const flockBytes = new Uint8Array(FLOCK_SIZE);
const flock = new DataView(flockBytes.buffer);

function setLock(fd: number, type: number, offset: number): number {
  libc ??= open();
  flock.setInt16(0, type, true);
  flock.setInt16(2, 0, true); // SEEK_SET
  flock.setBigInt64(8, BigInt(offset), true);
  flock.setBigInt64(16, 1n, true);
  flock.setInt32(24, 0, true); // l_pid must be 0 for OFD locks
  if (libc.fcntl(fd, F_OFD_SETLK, flockBytes) === 0) return 0;
  return read.i32(libc.__errno_location()!, 0);
}

function failed(errno: number, what: string): Error {
  return Object.assign(new Error(`fcntl(F_OFD_SETLK) ${what}: errno ${errno}`), { errno });
}

/** Takes byte `offset` of `fd`'s file shared (`write` false) or exclusive; false when another description holds it. */
export function tryLockByte(fd: number, offset: number, write: boolean): boolean {
  const errno = setLock(fd, write ? F_WRLCK : F_RDLCK, offset);
  if (errno === 0) return true;
  if (errno === EAGAIN || errno === EACCES) return false;
  throw failed(errno, "lock");
}

export function unlockByte(fd: number, offset: number): void {
  const errno = setLock(fd, F_UNLCK, offset);
  if (errno !== 0) throw failed(errno, "unlock");
}
