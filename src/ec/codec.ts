/**
 * The codec contract used by the erasure layer, and the choice of backend behind it.
 *
 * Backend choice: ISA-L `isa_l_rs_vand` where it is MDS, i.e. any m shards may be lost. Measured
 * exhaustively here with liberasurecode 1.6.2: it is MDS for m <= 3 up to k+m = 32 and for m = 4
 * up to k = 21, but NOT for m >= 5 (e.g. 6+5 fails 2 of 462 five-shard losses, 10+6 fails 46 of
 * 8008). Outside that range we use `isa_l_rs_cauchy`, which is MDS everywhere and as fast. Without
 * ISA-L: `jerasure_rs_vand`, then the slow built-in `liberasurecode_rs_vand`. Parity from different
 * backends is not interchangeable, so `algorithm` is recorded in xl.meta and passed back on read.
 */
import { backendAvailable, BACKENDS, type BackendName, EcError, validateGeometry } from "../../ffi";
import { PlainCodec, PLAIN_ALGORITHM } from "./plain-codec";
import { RsCodec } from "./rs-codec";

export interface Codec {
  readonly dataShards: number;
  readonly parityShards: number;
  /** The backend, e.g. "isa_l_rs_vand"; "none" when parityShards is 0. Record it in xl.meta. */
  readonly algorithm: string;
  /** Bytes of EVERY shard for a block of that many data bytes. */
  shardSize(blockLength: number): number;
  /**
   * k+m shards, each shardSize(block.length) bytes, JS-owned. With `into` (at least
   * (k+m) x shardSize bytes, each rounded up to 16) the shards are views of it, so a caller that recycles a few such
   * buffers avoids allocating (and page-faulting) 1.5 MiB per block; without it, fresh memory.
   */
  encode(block: Uint8Array, into?: Uint8Array): Uint8Array[];
  /** Any k present (array of length k+m, null = missing) → the block. No C call when all data shards are present. */
  decode(shards: (Uint8Array | null)[], blockLength: number): Uint8Array;
  /**
   * The block as zero-copy views into the data shards (for streaming a healthy GET without a
   * join). Throws EcError "EINSUFFFRAGS" if a data shard is missing: call decode then.
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

export function createCodec(dataShards: number, parityShards: number, options: CodecOptions = {}): Codec {
  validateGeometry(dataShards, parityShards);
  if (parityShards === 0) return new PlainCodec(dataShards);
  const backend = chooseBackend(dataShards, parityShards, options.algorithm);
  return new RsCodec({ backend, dataShards, parityShards });
}

/** Largest k for which isa_l_rs_vand with this m survives every loss of m shards (see top). */
function isaVandMaxK(m: number): number {
  if (m <= 3) return 32;
  return m === 4 ? 21 : 0;
}

export function preferredBackends(dataShards: number, parityShards: number): BackendName[] {
  const isa: BackendName[] =
    dataShards <= isaVandMaxK(parityShards) ? ["isa_l_rs_vand", "isa_l_rs_cauchy"] : ["isa_l_rs_cauchy"];
  return [...isa, "jerasure_rs_vand", "liberasurecode_rs_vand"];
}

function chooseBackend(dataShards: number, parityShards: number, requested: string | undefined): BackendName {
  const forced = requested ?? (process.env.CAIRN_EC_BACKEND || undefined);
  if (forced !== undefined) {
    if (forced === PLAIN_ALGORITHM || !(forced in BACKENDS)) {
      throw new EcError("EBACKENDNOTSUPP", `unknown erasure-code algorithm "${forced}" for ${dataShards}+${parityShards}`);
    }
    const backend = forced as BackendName;
    if (!backendAvailable(backend)) {
      throw new EcError("EBACKENDNOTAVAIL", `erasure-code backend ${backend} is not available on this machine`);
    }
    return backend;
  }
  const found = preferredBackends(dataShards, parityShards).find((b) => backendAvailable(b));
  if (!found) {
    throw new EcError("ELIBRARYMISSING", "no erasure-code backend available: install the Debian package libisal2");
  }
  return found;
}
