/**
 * Named readers-writer locks shared by the processes serving one set of drives (the namespace
 * locks' cross-process half, erasure/locks.ts). A name is two bytes of one lock file, locked
 * with open-file-description locks (ffi/ofd-lock.ts) through a descriptor of its own per hold, so
 * holders in one process exclude each other as holders in two processes do, and a process that
 * dies drops its locks with its descriptors.
 *
 * The kernel call never waits, so a lock that is taken is retried after a short sleep. Retrying
 * alone would let a stream of overlapping readers in another process starve a writer, so every
 * holder passes a gate first (the name's second byte): a writer keeps the gate shut while it waits
 * for the readers inside to leave, and readers only pass through it.
 */
import { closeSync, openSync } from "node:fs";
import { tryLockByte, unlockByte } from "../../ffi/ofd-lock";

/** Descriptors kept open for the next holds (one per concurrent hold is opened on demand). */
const MAX_IDLE_FDS = 64;
const MAX_WAIT_MS = 16;

/** Two bytes per name below 2^53: 52 bits of the name's xxHash3, so distinct names rarely share. */
function offsetOf(name: string): number {
  return Number(Bun.hash.xxHash3(name) >> 12n) * 2;
}

async function until(attempt: () => boolean): Promise<void> {
  for (let wait = 1; !attempt(); wait = Math.min(wait * 2, MAX_WAIT_MS)) await Bun.sleep(wait);
}

export class FileRangeLocks {
  private readonly idle: number[] = [];

  /** `path`: the lock file every process opens (created when missing; its content is never used). */
  constructor(private readonly path: string) {
    closeSync(openSync(path, "a"));
  }

  /** Resolves with the release once `name` is held (`write`: exclusively). */
  async lock(name: string, write: boolean): Promise<() => void> {
    const at = offsetOf(name);
    const fd = this.idle.pop() ?? openSync(this.path, "r+");
    try {
      await until(() => tryLockByte(fd, at + 1, write));
      try {
        await until(() => tryLockByte(fd, at, write));
      } finally {
        unlockByte(fd, at + 1);
      }
    } catch (err) {
      this.putBack(fd);
      throw err;
    }
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      unlockByte(fd, at);
      this.putBack(fd);
    };
  }

  close(): void {
    for (const fd of this.idle.splice(0)) closeSync(fd);
  }

  private putBack(fd: number): void {
    if (this.idle.length < MAX_IDLE_FDS) this.idle.push(fd);
    else closeSync(fd);
  }
}
