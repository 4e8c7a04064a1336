/**
 * The liberasurecode fragment header, read from JS so the healthy path never calls C: it lets us
 * check a shard is the one we expect (right index, right block) and slice out its payload.
 */
import { EcError, FRAGMENT_HEADER, FRAGMENT_MAGIC } from "../../ffi";

export const HEADER_SIZE = FRAGMENT_HEADER.size;

export interface FragmentHeader {
  index: number;
  payloadSize: number;
  originalSize: number;
}

export function readHeader(shard: Uint8Array): FragmentHeader {
  if (shard.length < HEADER_SIZE) {
    throw new EcError("EBADHEADER", `shard of ${shard.length} bytes is shorter than its ${HEADER_SIZE}-byte header`);
  }
  const view = new DataView(shard.buffer, shard.byteOffset, HEADER_SIZE);
  if (view.getUint32(FRAGMENT_HEADER.magic, true) !== FRAGMENT_MAGIC) {
    throw new EcError("EBADHEADER", "shard does not start with a liberasurecode fragment header");
  }
  return {
    index: view.getUint32(FRAGMENT_HEADER.idx, true),
    payloadSize: view.getUint32(FRAGMENT_HEADER.size32, true),
    originalSize: Number(view.getBigUint64(FRAGMENT_HEADER.origDataSize, true)),
  };
}

export interface ShardExpectation {
  position: number;
  blockLength: number;
  shardSize: number;
}

/** Throws EBADHEADER unless `shard` is fragment `position` of a block of `blockLength` bytes. */
export function checkShard(shard: Uint8Array, expect: ShardExpectation): FragmentHeader {
  if (shard.length !== expect.shardSize) {
    throw new EcError("EINVALIDPARAMS", `shard ${expect.position} has ${shard.length} bytes, expected ${expect.shardSize}`);
  }
  const header = readHeader(shard);
  const fits = header.payloadSize + HEADER_SIZE <= shard.length;
  if (header.index !== expect.position || header.originalSize !== expect.blockLength || !fits) {
    throw new EcError(
      "EBADHEADER",
      `shard at position ${expect.position} holds fragment ${header.index} of a ${header.originalSize}-byte block ` +
        `(payload ${header.payloadSize}); expected fragment ${expect.position} of a ${expect.blockLength}-byte block`,
    );
  }
  return header;
}

/** Zero-copy views of the block's bytes inside the k data shards, in order, trimmed to blockLength. */
export function dataViews(dataShards: Uint8Array[], blockLength: number): Uint8Array[] {
  const views: Uint8Array[] = [];
  let remaining = blockLength;
  for (const shard of dataShards) {
    if (remaining === 0) break;
    const take = Math.min(remaining, readHeader(shard).payloadSize);
    views.push(shard.subarray(HEADER_SIZE, HEADER_SIZE + take));
    remaining -= take;
  }
  return views;
}

export function join(views: Uint8Array[], length: number): Uint8Array {
  const out = Buffer.allocUnsafe(length); // every byte is written below
  let offset = 0;
  for (const view of views) {
    out.set(view, offset);
    offset += view.length;
  }
  return out;
}
