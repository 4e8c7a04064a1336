/** The codec contract used by the erasure layer (implemented by rs-codec.ts and plain-codec.ts). */

export interface Codec {
  readonly dataShards: number;
  readonly parityShards: number;
  /** The backend, e.g. "isa_l_rs_vand"; "none" when parityShards is 0. Record it in xl.meta. */
  readonly algorithm: string;
  /** Bytes of EVERY shard for a block of that many data bytes. */
  shardSize(blockLength: number): number;
  /**
   * k+m shards, each shardSize(block.length) bytes, JS-owned. With `into` (at least
   * encodedSize(block.length, headroom) bytes) the shards are views of it, so a caller recycling
   * a few such buffers avoids allocating (and page-faulting) 1.5 MiB per block; else fresh
   * memory. With `headroom`, each shard is preceded by at least that many free bytes of the same
   * buffer (a frame header then goes to disk with its shard in one write, without a copy).
   * Without either, a k = 1 codec without parity may return the block itself.
   */
  encode(block: Uint8Array, into?: Uint8Array, headroom?: number): Uint8Array[];
  /** Bytes `encode`'s `into` needs for a block of that length with that headroom. */
  encodedSize(blockLength: number, headroom?: number): number;
  /**
   * Where a block of `blockLength` bytes may be assembled inside `into` so that `encodeInPlace`
   * needs no copy: k views, filled in order (the last may reach past the block's end). null when
   * this codec cannot do that length in place (yet): then assemble the block and call `encode`.
   */
  dataSlots(into: Uint8Array, blockLength: number, headroom: number): Uint8Array[] | null;
  /** Completes `into` whose `dataSlots` hold the block: the shards, exactly as `encode` gives them. */
  encodeInPlace(into: Uint8Array, blockLength: number, headroom: number): Uint8Array[];
  /**
   * Any k present (array of length k+m, null = missing) → the block. With every data shard
   * present it never calls C: it joins their payloads (or returns the one view, when one shard
   * holds the whole block). Throws EcError: EINSUFFFRAGS under k, EBADHEADER for a shard that
   * is not fragment i of this block, EINVALIDPARAMS for wrong lengths.
   */
  decode(shards: (Uint8Array | null)[], blockLength: number): Uint8Array;
  /**
   * The block as views, in order, for streaming a GET without a join: zero-copy slices of the
   * present data shards, plus rebuilt shards for missing ones (C only then). Needs any k shards.
   */
  dataViews(shards: (Uint8Array | null)[], blockLength: number): Uint8Array[];
  /** Rebuilds the listed shard indices (for healing), each shardSize(blockLength) bytes. */
  reconstruct(shards: (Uint8Array | null)[], blockLength: number, missing: number[]): Uint8Array[];
  close(): void;
}

export interface CodecOptions {
  /**
   * Use exactly this backend (the `algorithm` recorded when the object was written). Otherwise
   * the env CAIRN_EC_BACKEND, otherwise the best available for the geometry.
   */
  algorithm?: string;
}
