/**
 * Bitrot protection: every shard block on disk is `[8-byte xxh3-64 LE][shard bytes]`. xxh3 is
 * ~65 GB/s per core here (FACTS.md), so verifying every block on every read costs little.
 */
import type { BitrotAlgorithm } from "../xlmeta/index";

export const BITROT: BitrotAlgorithm = "xxh3-64";
export const HASH_LEN = 8;

export function frameShard(shard: Uint8Array): Uint8Array {
  const out = new Uint8Array(HASH_LEN + shard.length);
  new DataView(out.buffer).setBigUint64(0, Bun.hash.xxHash3(shard), true);
  out.set(shard, HASH_LEN);
  return out;
}

/**
 * The frame of a shard that has HASH_LEN free bytes before it in its buffer (an encode output
 * with headroom): the hash goes there and the frame is a view, so no frame is copied together.
 */
export function frameInPlace(shard: Uint8Array): Uint8Array {
  if (shard.byteOffset < HASH_LEN) throw new RangeError("frameInPlace: no room for the hash before the shard");
  const frame = new Uint8Array(shard.buffer, shard.byteOffset - HASH_LEN, HASH_LEN + shard.length);
  new DataView(frame.buffer, frame.byteOffset, HASH_LEN).setBigUint64(0, Bun.hash.xxHash3(shard), true);
  return frame;
}

/** The shard bytes of one frame, or null when short or the hash does not match. */
export function verifyFrame(frame: Uint8Array, shardLen: number): Uint8Array | null {
  if (frame.length !== HASH_LEN + shardLen) return null;
  const shard = frame.subarray(HASH_LEN);
  const want = new DataView(frame.buffer, frame.byteOffset, HASH_LEN).getBigUint64(0, true);
  return Bun.hash.xxHash3(shard) === want ? shard : null;
}

/** Shard-file geometry for a part of `size` bytes cut into `blockSize` blocks. */
export interface ShardGeometry {
  blockSize: number;
  shardSize(blockLength: number): number;
}

export function blockCount(size: number, blockSize: number): number {
  return Math.ceil(size / blockSize);
}

/** Byte offset and frame length of block `b` in a shard file. */
export function frameAt(g: ShardGeometry, partSize: number, b: number): { offset: number; length: number } {
  const full = HASH_LEN + g.shardSize(g.blockSize);
  const blockLen = Math.min(g.blockSize, partSize - b * g.blockSize);
  return { offset: b * full, length: HASH_LEN + g.shardSize(blockLen) };
}

/** Total size of one drive's shard file for a part of `partSize` bytes. */
export function shardFileSize(g: ShardGeometry, partSize: number): number {
  const n = blockCount(partSize, g.blockSize);
  if (n === 0) return 0;
  const last = frameAt(g, partSize, n - 1);
  return last.offset + last.length;
}

/** shardFileSize of a codec's shards (what a writer of that file can expect to hold). */
export function codecShardFileSize(codec: { shardSize(blockLength: number): number }, blockSize: number, partSize: number): number {
  return shardFileSize({ blockSize, shardSize: (n) => codec.shardSize(n) }, partSize);
}
