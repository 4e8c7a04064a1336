/**
 * A small pool of large scratch buffers (1 MiB blocks, encode outputs), so a PUT does not
 * allocate and page-fault several fresh MiB that the GC reclaims later. Bounded: at most
 * `keep` idle buffers per size are retained.
 */
export class BufferPool {
  private readonly idle = new Map<number, Uint8Array[]>();

  constructor(private readonly keep = 8) {}

  take(size: number): Uint8Array {
    return this.idle.get(size)?.pop() ?? new Uint8Array(size);
  }

  give(buf: Uint8Array): void {
    const list = this.idle.get(buf.length) ?? [];
    if (list.length < this.keep) list.push(buf);
    this.idle.set(buf.length, list);
  }
}
