/**
 * A small pool of large scratch buffers (1 MiB blocks, encode outputs), so a PUT does not
 * allocate and page-fault several fresh MiB that the GC reclaims later (fresh pages measured
 * ~1 ms per MiB here: page faults are dear on these VMs). Bounded: at most `keep` idle buffers
 * per size and kind are retained.
 */
export class BufferPool {
  private readonly idle = new Map<string, Uint8Array[]>();

  constructor(private readonly keep = 8) {}

  take(size: number): Uint8Array {
    return this.idle.get(`p${size}`)?.pop() ?? new Uint8Array(size);
  }

  /** Backed by a SharedArrayBuffer, so a worker can read it without a copy (md5.ts). */
  takeShared(size: number): Uint8Array {
    return this.idle.get(`s${size}`)?.pop() ?? new Uint8Array(new SharedArrayBuffer(size));
  }

  give(buf: Uint8Array): void {
    const key = `${buf.buffer instanceof SharedArrayBuffer ? "s" : "p"}${buf.length}`;
    const list = this.idle.get(key) ?? [];
    if (list.length < this.keep) list.push(buf);
    this.idle.set(key, list);
  }
}
