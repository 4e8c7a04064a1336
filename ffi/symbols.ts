/**
 * The one declared symbol table for liberasurecode 1.6 (see /usr/include/liberasurecode/erasurecode.h)
 * and the constants that go with it. Kept apart from the loader so the table is read in one place.
 */
import { FFIType } from "bun:ffi";

const { i32, u32, u64, ptr } = FFIType;

export const liberasurecodeSymbols = {
  liberasurecode_backend_available: { args: [i32], returns: i32 },
  liberasurecode_instance_create: { args: [i32, ptr], returns: i32 },
  liberasurecode_instance_destroy: { args: [i32], returns: i32 },
  // (desc, data, size, char*** data_out, char*** parity_out, uint64_t* fragment_len)
  liberasurecode_encode: { args: [i32, ptr, u64, ptr, ptr, ptr], returns: i32 },
  liberasurecode_encode_cleanup: { args: [i32, ptr, ptr], returns: i32 },
  // (desc, char** fragments, n, fragment_len, force_metadata_checks, char** out, uint64_t* out_len)
  liberasurecode_decode: { args: [i32, ptr, i32, u64, i32, ptr, ptr], returns: i32 },
  liberasurecode_decode_cleanup: { args: [i32, ptr], returns: i32 },
  // (desc, char** fragments, n, fragment_len, destination_idx, char* out_fragment)
  liberasurecode_reconstruct_fragment: { args: [i32, ptr, i32, u64, i32, ptr], returns: i32 },
  liberasurecode_get_fragment_size: { args: [i32, i32], returns: i32 },
  liberasurecode_get_version: { args: [], returns: u32 },
} as const;

export const libcSymbols = {
  mallopt: { args: [i32, i32], returns: i32 },
} as const;

/** Backends we may use, by liberasurecode's `ec_backend_id_t`, in order of preference. */
export const BACKENDS = {
  isa_l_rs_vand: 4,
  isa_l_rs_cauchy: 7,
  jerasure_rs_vand: 1,
  liberasurecode_rs_vand: 6,
} as const;
export type BackendName = keyof typeof BACKENDS;

/** Galois-field word size per backend: ISA-L is fixed at 8; the others need 16 for k+m > 16 headroom. */
export const BACKEND_WORD_SIZE: Record<BackendName, number> = {
  isa_l_rs_vand: 8,
  isa_l_rs_cauchy: 8,
  jerasure_rs_vand: 16,
  liberasurecode_rs_vand: 16,
};

/** EC_MAX_FRAGMENTS from erasurecode.h. */
export const MAX_FRAGMENTS = 32;

/** `struct ec_args`: int k, m, w, hd; 32-byte union; void* priv_args2; int ct (+4 padding). */
export const EC_ARGS = { size: 64, k: 0, m: 4, w: 8, hd: 12, privArgs2: 48, ct: 56 } as const;
/** CHKSUM_NONE: the erasure layer keeps its own bitrot hash per shard block. */
export const CHKSUM_NONE = 1;

/** `fragment_header_t`: packed 59-byte metadata, magic, version, metadata checksum, padding to 80. */
export const FRAGMENT_HEADER = { size: 80, idx: 0, size32: 4, origDataSize: 12, magic: 59 } as const;
export const FRAGMENT_MAGIC = 0xb0c5ecc;

/** glibc <malloc.h> mallopt parameters. */
export const M_TRIM_THRESHOLD = -1;
export const M_MMAP_THRESHOLD = -3;
