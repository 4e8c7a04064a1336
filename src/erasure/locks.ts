/**
 * Namespace locks: one readers-writer lock per name (`bucket/key`). In process, FIFO, so a
 * stream of readers cannot starve a writer; entries disappear when nobody holds or waits. When
 * other processes serve the same drives, a hold granted here then takes the name's shared lock
 * too (storage's FileRangeLocks), so it excludes their holders as well.
 */

type Waiter = { write: boolean; grant: () => void };
interface LockState {
  readers: number;
  writer: boolean;
  queue: Waiter[];
}

export type Release = () => void;

/** The cross-process half: resolves with its release once `name` is held in every process. */
export interface SharedLocks {
  lock(name: string, write: boolean): Promise<Release>;
}

export class NamespaceLocks {
  private readonly locks = new Map<string, LockState>();

  constructor(private readonly shared?: SharedLocks) {}

  read(name: string): Promise<Release> {
    return this.acquire(name, { write: false });
  }

  write(name: string): Promise<Release> {
    return this.acquire(name, { write: true });
  }

  async withWrite<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.write(name);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async withRead<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.read(name);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Names currently held or awaited (for tests and metrics). */
  get size(): number {
    return this.locks.size;
  }

  private acquire(name: string, mode: { write: boolean }): Promise<Release> {
    const local = this.acquireLocal(name, mode);
    const shared = this.shared;
    if (!shared) return local;
    return local.then(async (release) => {
      try {
        const releaseShared = await shared.lock(name, mode.write);
        return () => {
          releaseShared();
          release();
        };
      } catch (err) {
        release();
        throw err;
      }
    });
  }

  private acquireLocal(name: string, mode: { write: boolean }): Promise<Release> {
    let st = this.locks.get(name);
    if (!st) {
      st = { readers: 0, writer: false, queue: [] };
      this.locks.set(name, st);
    }
    const state = st;
    return new Promise<Release>((resolve) => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (mode.write) state.writer = false;
        else state.readers--;
        this.drain(name, state);
      };
      state.queue.push({
        write: mode.write,
        grant: () => resolve(release),
      });
      this.drain(name, state);
    });
  }

  private drain(name: string, st: LockState): void {
    while (st.queue.length > 0) {
      const next = st.queue[0]!;
      if (next.write ? st.writer || st.readers > 0 : st.writer) break;
      st.queue.shift();
      if (next.write) st.writer = true;
      else st.readers++;
      next.grant();
    }
    if (!st.writer && st.readers === 0 && st.queue.length === 0) this.locks.delete(name);
  }
}
