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
import type { Codec, CodecOptions } from "./types";

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
