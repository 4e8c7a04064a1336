/**
 * The shard files one GET stream reads, each opened at its first read and kept open while the
 * stream reads that part: a large object's blocks come one after another from the same k files,
 * and an open and a close per block were two of every three thread-pool tasks of its GET.
 * A shard's file is closed when the stream moves on to another part, or when the stream ends.
 */
import type { DataFileReader } from "../storage/index";

interface OpenShard {
  part: number;
  file: Promise<DataFileReader>;
  /** The latest read of it: a close waits for it, so no read runs on a closed descriptor. */
  last: Promise<unknown>;
}

export class ShardFiles {
  private readonly open = new Map<number, OpenShard>();

  constructor(private readonly openShard: (shard: number, part: number) => Promise<DataFileReader>) {}

  /** Reads `into.length` bytes at `offset` of shard `shard` of part `part`. */
  readInto(at: { shard: number; part: number; offset: number }, into: Uint8Array): Promise<void> {
    let entry = this.open.get(at.shard);
    if (entry?.part !== at.part) {
      if (entry) closeWhenIdle(entry);
      entry = { part: at.part, file: this.openShard(at.shard, at.part), last: Promise.resolve() };
      this.open.set(at.shard, entry);
    }
    const opened = entry;
    const read = opened.file.then(
      (file) => file.readInto(at.offset, into),
      (err: unknown) => {
        // Not kept: the next read of this shard (if the caller tries again) opens it afresh.
        if (this.open.get(at.shard) === opened) this.open.delete(at.shard);
        throw err;
      },
    );
    opened.last = read.catch(() => undefined);
    return read;
  }

  /** Closes every file once its reads have settled; a later read opens its file again. */
  closeAll(): void {
    for (const entry of this.open.values()) closeWhenIdle(entry);
    this.open.clear();
  }
}

function closeWhenIdle(entry: OpenShard): void {
  void Promise.all([entry.file, entry.last])
    .then(([file]) => file.close())
    .catch(() => undefined); // never opened, or the close failed: nothing is left to release
}
