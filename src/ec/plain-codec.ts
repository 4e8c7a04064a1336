/**
 * The m = 0 codec (one drive, or EC:0): no parity, so no C at all. Shards are the block cut in k
 * equal pieces, the last zero-padded; with k = 1 and no output buffer the only shard is the block
 * itself (a view, not a copy: the caller must not reuse the block's memory while the shard is in
 * use).
 */
import { EcError, encodedLength, slotGeometry } from "../../ffi";
import type { Codec } from "./types";

export const PLAIN_ALGORITHM = "none";

export class PlainCodec implements Codec {
  readonly dataShards: number;
  readonly parityShards = 0;
  readonly algorithm = PLAIN_ALGORITHM;
  private closed = false;

  constructor(dataShards: number) {
    this.dataShards = dataShards;
  }

  shardSize(blockLength: number): number {
    this.live();
    return Math.ceil(blockLength / this.dataShards);
  }

  encode(block: Uint8Array, into?: Uint8Array, headroom = 0): Uint8Array[] {
    const size = this.shardSize(block.length);
    if (this.dataShards === 1 && into === undefined && headroom === 0) return [block];
    const need = this.encodedSize(block.length, headroom);
    if (into && into.length < need) throw new EcError("EINVALIDPARAMS", `output buffer of ${into.length} bytes is under ${need}`);
    const slots = this.slotViews(into ?? new Uint8Array(need), size, headroom);
    slots.forEach((slot, i) => slot.set(block.subarray(Math.min(block.length, i * size), Math.min(block.length, (i + 1) * size))));
    return this.padded(slots, block.length);
  }

  dataSlots(into: Uint8Array, blockLength: number, headroom: number): Uint8Array[] | null {
    if (blockLength === 0) return null;
    return this.slotViews(into, this.shardSize(blockLength), headroom);
  }

  encodeInPlace(into: Uint8Array, blockLength: number, headroom: number): Uint8Array[] {
    return this.padded(this.dataSlots(into, blockLength, headroom) ?? [], blockLength);
  }

  /** The k shard slots of `out`, each `size` bytes after its headroom. */
  private slotViews(out: Uint8Array, size: number, headroom: number): Uint8Array[] {
    const { stride, lead } = slotGeometry(size, headroom);
    return Array.from({ length: this.dataShards }, (_, i) => out.subarray(i * stride + lead, i * stride + lead + size));
  }

  /** Zeroes each slot past the block's end (the last shard's padding; whole slots beyond it). */
  private padded(slots: Uint8Array[], blockLength: number): Uint8Array[] {
    const size = this.shardSize(blockLength);
    slots.forEach((slot, i) => slot.fill(0, Math.max(0, Math.min(size, blockLength - i * size))));
    return slots;
  }

  encodedSize(blockLength: number, headroom = 0): number {
    return blockLength === 0 ? 0 : encodedLength(this.dataShards, this.shardSize(blockLength), headroom);
  }

  decode(shards: (Uint8Array | null)[], blockLength: number): Uint8Array {
    const views = this.dataViews(shards, blockLength);
    if (views.length === 1 && views[0]!.length === blockLength) return views[0]!;
    const out = new Uint8Array(blockLength);
    views.forEach((view, i) => out.set(view, i * this.shardSize(blockLength)));
    return out;
  }

  dataViews(shards: (Uint8Array | null)[], blockLength: number): Uint8Array[] {
    const size = this.shardSize(blockLength);
    if (shards.length !== this.dataShards) {
      throw new EcError("EINVALIDPARAMS", `expected ${this.dataShards} shard slots, got ${shards.length}`);
    }
    const views: Uint8Array[] = [];
    shards.forEach((shard, i) => {
      if (!shard) throw new EcError("EINSUFFFRAGS", `shard ${i} is missing and there is no parity`);
      if (shard.length !== size) throw new EcError("EINVALIDPARAMS", `shard ${i} has ${shard.length} bytes, expected ${size}`);
      const take = Math.min(size, blockLength - i * size);
      if (take > 0) views.push(shard.subarray(0, take));
    });
    return views;
  }

  reconstruct(shards: (Uint8Array | null)[], blockLength: number, missing: number[]): Uint8Array[] {
    this.dataViews(shards, blockLength); // all present or it throws: nothing can be rebuilt without parity
    return missing.map((i) => {
      const shard = shards[i];
      if (!shard) throw new EcError("EINVALIDPARAMS", `shard index ${i} outside 0..${this.dataShards - 1}`);
      return shard.slice();
    });
  }

  close(): void {
    this.closed = true;
  }

  private live(): void {
    if (this.closed) throw new EcError("ECLOSED", "codec used after close()");
  }
}
