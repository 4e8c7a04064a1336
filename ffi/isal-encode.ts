/**
 * Encode without liberasurecode's buffers: liberasurecode_encode mallocs k+m fragments, copies the
 * block into them, and we then copied every fragment out into JS memory (for 2+2 that is 3 MiB of
 * memcpy per 1 MiB block, the largest item of a large PUT's encode). Here the data is copied once,
 * straight into the caller's output slots, and ISA-L's ec_encode_data writes parity in place.
 *
 * The result must be byte-identical to liberasurecode's, fragment headers included, because shards
 * on disk are liberasurecode fragments (see src/ec/index.ts). So nothing here knows the header
 * format: headers are templates taken from a real liberasurecode encode of the same block length
 * (they depend on index and length only, as checksums are off), and the first fast encode of every
 * instance is compared byte for byte with liberasurecode's; any difference turns the fast path off
 * for good.
 */
import { dlopen, FFIType, ptr, type Library } from "bun:ffi";
import type { BackendName } from "./symbols";
import { FRAGMENT_HEADER } from "./symbols";

const { i32, ptr: p, void: v } = FFIType;

const isalSymbols = {
  gf_gen_rs_matrix: { args: [p, i32, i32], returns: v },
  gf_gen_cauchy1_matrix: { args: [p, i32, i32], returns: v },
  ec_init_tables: { args: [i32, i32, p, p], returns: v },
  ec_encode_data: { args: [i32, i32, i32, p, p, p], returns: v },
} as const;

/** The matrix each liberasurecode ISA-L backend builds its parity from. */
type MatrixFn = "gf_gen_rs_matrix" | "gf_gen_cauchy1_matrix";
const MATRIX: Partial<Record<BackendName, MatrixFn>> = {
  isa_l_rs_vand: "gf_gen_rs_matrix",
  isa_l_rs_cauchy: "gf_gen_cauchy1_matrix",
};

/** Header templates are kept for this many block lengths (full blocks repeat; tails rarely do). */
const TEMPLATE_LENGTHS = 8;

let isal: Library<typeof isalSymbols> | null | undefined;

/** ISA-L as liberasurecode loaded it (by soname, so the embedded copy too), or null. */
function loadIsal(): Library<typeof isalSymbols> | null {
  if (isal === undefined) {
    try {
      isal = dlopen("libisal.so.2", isalSymbols);
    } catch {
      isal = null;
    }
  }
  return isal;
}

/** Where the fragments go: slot i starts at i * stride, its fragment at `lead` into the slot. */
export interface Slots {
  out: Uint8Array;
  stride: number;
  lead: number;
  fragmentLength: number;
}

export class IsalEncoder {
  private readonly tables: Uint8Array;
  /** Per block length: the k+m headers back to back, and the fragment length. */
  private readonly templates = new Map<number, { headers: Uint8Array; fragmentLength: number }>();
  /** null until the first fast encode was checked against liberasurecode. */
  verified: boolean | null = null;
  private readonly data: BigUint64Array;
  private readonly parity: BigUint64Array;

  private constructor(
    private readonly lib: Library<typeof isalSymbols>,
    matrixOf: MatrixFn,
    private readonly k: number,
    private readonly m: number,
  ) {
    const matrix = new Uint8Array(k * (k + m));
    lib.symbols[matrixOf](matrix, k + m, k);
    this.tables = new Uint8Array(32 * k * m);
    lib.symbols.ec_init_tables(k, m, matrix.subarray(k * k), this.tables);
    this.data = new BigUint64Array(k);
    this.parity = new BigUint64Array(m);
  }

  /** An encoder for this backend and geometry, or null where ISA-L is not what liberasurecode uses. */
  static create(backend: BackendName, k: number, m: number): IsalEncoder | null {
    const matrixOf = MATRIX[backend];
    const lib = matrixOf ? loadIsal() : null;
    return matrixOf && lib ? new IsalEncoder(lib, matrixOf, k, m) : null;
  }

  /** Remembers the headers of a liberasurecode encode of a block of `length` bytes. */
  learn(length: number, s: Slots): void {
    if (this.templates.size >= TEMPLATE_LENGTHS) this.templates.delete(this.templates.keys().next().value!);
    const t = new Uint8Array(FRAGMENT_HEADER.size * (this.k + this.m));
    for (let i = 0; i < this.k + this.m; i++) {
      const at = i * s.stride + s.lead;
      t.set(s.out.subarray(at, at + FRAGMENT_HEADER.size), i * FRAGMENT_HEADER.size);
    }
    this.templates.set(length, { headers: t, fragmentLength: s.fragmentLength });
  }

  /** The fragment length for a block of `length` bytes, when its headers are known; else -1. */
  fragmentLength(length: number): number {
    return this.templates.get(length)?.fragmentLength ?? -1;
  }

  /** Fills the slots for `block` (whose headers are known): data, then as `finish`. */
  encode(block: Uint8Array, s: Slots): void {
    const payload = s.fragmentLength - FRAGMENT_HEADER.size;
    for (let i = 0; i < this.k; i++) {
      const piece = block.subarray(Math.min(block.length, i * payload), Math.min(block.length, (i + 1) * payload));
      s.out.set(piece, i * s.stride + s.lead + FRAGMENT_HEADER.size);
    }
    this.finish(block.length, s);
  }

  /**
   * Completes slots whose data payloads already hold a block of `length` bytes (headers known):
   * zero padding after the block's end, the headers, and parity from ISA-L.
   */
  finish(length: number, s: Slots): void {
    const t = this.templates.get(length)!.headers;
    const H = FRAGMENT_HEADER.size;
    const payload = s.fragmentLength - H;
    for (let i = 0; i < this.k + this.m; i++) {
      const at = i * s.stride + s.lead;
      s.out.set(t.subarray(i * H, (i + 1) * H), at);
      if (i < this.k) s.out.fill(0, at + H + Math.max(0, Math.min(payload, length - i * payload)), at + s.fragmentLength);
      const address = BigInt(ptr(s.out, at + H));
      if (i < this.k) this.data[i] = address;
      else this.parity[i - this.k] = address;
    }
    this.lib.symbols.ec_encode_data(payload, this.k, this.m, this.tables, this.data, this.parity);
  }
}
