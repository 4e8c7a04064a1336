/**
 * Cuts a PUT body into fixed-size blocks, in pooled buffers. Where the codec allows it
 * (`Codec.dataSlots`), a block is assembled straight inside its encode output, in the data
 * shards' slots, so encoding copies nothing and the block needs no buffer of its own (for 2+2
 * that is one 1 MiB copy and 1 MiB of memory less per block in flight). Otherwise, and for a body
 * known to be small enough to inline, the block is assembled in a buffer of its own.
 *
 * Two blocks alternate, because one block's write is still in flight while the next is filled.
 * Buffers are SharedArrayBuffers (the MD5 worker reads them, md5.ts) taken from the pool when first
 * needed, so a body of one block holds one encode output (and at most one block buffer).
 */
import type { Codec } from "../ec/index";
import type { BufferPool } from "./buffers";

/** A block ready to encode: its bytes in order (one piece, or the data slots of `into`). */
export interface Assembled {
  pieces: Uint8Array[];
  length: number;
  inPlace: boolean;
  into: Uint8Array;
}

export interface BlockerOptions {
  codec: Codec;
  pool: BufferPool;
  blockSize: number;
  /** Free bytes the caller needs before each shard in the encode output. */
  headroom: number;
  /** Assemble in a block buffer of its own (a small body that will be inlined). */
  separate: boolean;
}

export class Blocker {
  private readonly blocks: (Uint8Array | null)[] = [null, null];
  private readonly outs: (Uint8Array | null)[] = [null, null];
  private cur = 0;
  private fill = 0;
  /** Where the current block's bytes go, and whether that is in place. */
  private target: { pieces: Uint8Array[]; inPlace: boolean } | null = null;
  private piece = 0;
  private pieceFill = 0;

  constructor(private readonly o: BlockerOptions) {}

  /** Copies `value` in, calling `full` for every completed block. */
  async feed(value: Uint8Array, full: (block: Assembled) => Promise<void>): Promise<void> {
    let off = 0;
    while (off < value.length) {
      const t = (this.target ??= this.begin());
      const dest = t.pieces[this.piece]!;
      const n = Math.min(value.length - off, dest.length - this.pieceFill);
      dest.set(value.subarray(off, off + n), this.pieceFill);
      off += n;
      this.fill += n;
      this.pieceFill += n;
      if (this.pieceFill === dest.length) {
        this.piece++;
        this.pieceFill = 0;
      }
      if (this.fill === this.o.blockSize) {
        await full({ pieces: t.pieces, length: this.fill, inPlace: t.inPlace, into: this.into() });
        this.cur ^= 1;
        this.fill = 0;
        this.target = null;
        this.piece = 0;
        this.pieceFill = 0;
      }
    }
  }

  /**
   * The partly filled last block, in one piece (a shorter block has another shard layout, so
   * one assembled in place is gathered first); null when the body ended on a block boundary.
   */
  tail(): Assembled | null {
    if (this.fill === 0 || !this.target) return null;
    const into = this.into();
    if (!this.target.inPlace) return { pieces: [this.target.pieces[0]!.subarray(0, this.fill)], length: this.fill, inPlace: false, into };
    const block = this.block();
    let at = 0;
    for (const p of this.target.pieces) {
      const n = Math.min(p.length, this.fill - at);
      block.set(p.subarray(0, n), at);
      at += n;
      if (at === this.fill) break;
    }
    return { pieces: [block.subarray(0, this.fill)], length: this.fill, inPlace: false, into };
  }

  /** Only once every write and hash that referenced the buffers has settled. */
  release(): void {
    for (const b of [...this.blocks, ...this.outs]) if (b) this.o.pool.give(b);
    this.blocks.fill(null);
    this.outs.fill(null);
  }

  private begin(): { pieces: Uint8Array[]; inPlace: boolean } {
    const slots = this.o.separate ? null : this.o.codec.dataSlots(this.into(), this.o.blockSize, this.o.headroom);
    if (!slots) return { pieces: [this.block()], inPlace: false };
    // The slots may hold more than a block (padding): cut them to exactly blockSize bytes.
    const pieces: Uint8Array[] = [];
    let left = this.o.blockSize;
    for (const s of slots) {
      if (left === 0) break;
      pieces.push(s.subarray(0, Math.min(s.length, left)));
      left -= pieces[pieces.length - 1]!.length;
    }
    return { pieces, inPlace: true };
  }

  private into(): Uint8Array {
    return (this.outs[this.cur] ??= this.o.pool.takeShared(this.o.codec.encodedSize(this.o.blockSize, this.o.headroom)));
  }

  private block(): Uint8Array {
    return (this.blocks[this.cur] ??= this.o.pool.takeShared(this.o.blockSize));
  }
}
