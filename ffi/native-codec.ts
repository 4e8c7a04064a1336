/**
 * One liberasurecode instance (backend, k, m) and the four calls the codec needs. Every buffer C
 * allocates is copied into JS memory and released through its `*_cleanup` in `finally`; every
 * argument C would trust (lengths, counts, indices) is checked here first, so bad input becomes a
 * typed EcError instead of an out-of-bounds read.
 */
import { type Pointer, ptr, read, toArrayBuffer } from "bun:ffi";
import { check, EcError } from "./errors";
import { IsalEncoder, type Slots } from "./isal-encode";
import { loadLiberasurecode, type LiberasurecodeLibrary } from "./loader";
import { BACKEND_WORD_SIZE, BACKENDS, type BackendName, CHKSUM_NONE, EC_ARGS, FRAGMENT_HEADER, MAX_FRAGMENTS } from "./symbols";

/** liberasurecode keeps sizes in C ints. */
const MAX_BLOCK = 0x7fff_0000;

export interface NativeCodecOptions {
  backend: BackendName;
  dataShards: number;
  parityShards: number;
}

export function validateGeometry(dataShards: number, parityShards: number): void {
  const ok =
    Number.isInteger(dataShards) &&
    Number.isInteger(parityShards) &&
    dataShards >= 1 &&
    parityShards >= 0 &&
    dataShards + parityShards <= MAX_FRAGMENTS;
  if (!ok) {
    throw new EcError(
      "EINVALIDPARAMS",
      `invalid geometry k=${dataShards} m=${parityShards}: need integers k >= 1, m >= 0, k + m <= ${MAX_FRAGMENTS}`,
    );
  }
}

export function backendAvailable(backend: BackendName): boolean {
  return loadLiberasurecode().lib.symbols.liberasurecode_backend_available(BACKENDS[backend]) === 1;
}

export class NativeCodec {
  readonly backend: BackendName;
  readonly k: number;
  readonly m: number;
  private readonly lib: LiberasurecodeLibrary["symbols"];
  private desc: number;
  /** Out-parameter slots (data***, parity***, fragment_len / out_data*, out_len), reused per call. */
  private readonly slots = new BigUint64Array(3);
  private readonly slot: [Pointer, Pointer, Pointer];
  /** The ISA-L path for full blocks (isal-encode.ts); null for other backends or without ISA-L. */
  private readonly fast: IsalEncoder | null;

  constructor(options: NativeCodecOptions) {
    const { backend, dataShards: k, parityShards: m } = options;
    validateGeometry(k, m);
    if (m < 1) throw new EcError("EINVALIDPARAMS", "liberasurecode needs at least one parity fragment");
    if (!(backend in BACKENDS)) throw new EcError("EBACKENDNOTSUPP", `unknown backend ${String(backend)}`);
    this.lib = loadLiberasurecode().lib.symbols;
    if (this.lib.liberasurecode_backend_available(BACKENDS[backend]) !== 1) {
      throw new EcError("EBACKENDNOTAVAIL", `backend ${backend} is not available (its library could not be loaded)`);
    }
    this.backend = backend;
    this.k = k;
    this.m = m;
    this.desc = check(this.lib.liberasurecode_instance_create(BACKENDS[backend], ecArgs(backend, k, m)), "liberasurecode_instance_create");
    this.slot = [ptr(this.slots, 0), ptr(this.slots, 8), ptr(this.slots, 16)];
    this.fast = process.env.CAIRN_EC_ISAL_DIRECT === "0" ? null : IsalEncoder.create(backend, k, m);
  }

  /** True once the ISA-L path has been checked against liberasurecode and is in use. */
  get direct(): boolean {
    return this.fast?.verified === true;
  }

  /** Bytes of every fragment (liberasurecode header included) for a block of `dataLength` bytes. */
  fragmentSize(dataLength: number): number {
    this.checkLength(dataLength);
    return check(this.lib.liberasurecode_get_fragment_size(this.live(), dataLength), "liberasurecode_get_fragment_size") + FRAGMENT_HEADER.size;
  }

  /**
   * k data then m parity fragments, views of one JS-owned buffer at 16-byte aligned offsets:
   * `into` when given (at least `encodedLength` bytes; reusing one spares the page faults of
   * fresh memory), else a new one. Each fragment is preceded by `headroom` free bytes, so a
   * caller can put its own frame header in front and write header and fragment as one piece.
   */
  encode(block: Uint8Array, into?: Uint8Array, headroom = 0): Uint8Array[] {
    this.checkLength(block.length);
    const fast = this.fast;
    const known = fast ? fast.fragmentLength(block.length) : -1;
    if (fast?.verified && known > 0) {
      const slots = this.slotsFor(known, into, headroom);
      fast.encode(block, slots);
      return this.views(slots);
    }
    const slots = this.encodeInC(block, into, headroom);
    if (fast && fast.verified !== false) {
      if (known < 0) fast.learn(block.length, slots);
      else fast.verified = this.sameAsFast(block, slots);
    }
    return this.views(slots);
  }

  /**
   * Where a block of `length` bytes goes in `out` for `encodeInPlace`: the k data payloads (the
   * block runs through them in order; the last may reach past its end). null until the ISA-L path
   * is verified and knows this length: then assemble the block and call `encode`.
   */
  dataSlots(out: Uint8Array, length: number, headroom: number): Uint8Array[] | null {
    this.checkLength(length);
    const fragmentLength = this.fast?.verified ? this.fast.fragmentLength(length) : -1;
    if (fragmentLength < 0) return null;
    const s = this.slotsFor(fragmentLength, out, headroom);
    const H = FRAGMENT_HEADER.size;
    return Array.from({ length: this.k }, (_, i) => out.subarray(i * s.stride + s.lead + H, i * s.stride + s.lead + fragmentLength));
  }

  /** Finishes `out` whose `dataSlots` hold the block: the k+m fragments, as `encode` returns them. */
  encodeInPlace(out: Uint8Array, length: number, headroom: number): Uint8Array[] {
    const fragmentLength = this.fast?.verified ? this.fast.fragmentLength(length) : -1;
    if (fragmentLength < 0) throw new EcError("EINVALIDPARAMS", `no in-place encode for a block of ${length} bytes`);
    const s = this.slotsFor(fragmentLength, out, headroom);
    this.fast!.finish(length, s);
    return this.views(s);
  }

  /** liberasurecode_encode, its fragments copied into the output slots. */
  private encodeInC(block: Uint8Array, into: Uint8Array | undefined, headroom: number): Slots {
    const desc = this.live();
    this.slots.fill(0n);
    const ret = this.lib.liberasurecode_encode(desc, block, block.length, ...this.slot);
    check(ret, "liberasurecode_encode"); // on failure liberasurecode has already freed its buffers
    const dataArray = Number(this.slots[0]) as Pointer;
    const parityArray = Number(this.slots[1]) as Pointer;
    try {
      const s = this.slotsFor(Number(this.slots[2]), into, headroom);
      for (let i = 0; i < this.k + this.m; i++) {
        const array = i < this.k ? dataArray : parityArray;
        const fragment = read.ptr(array, 8 * (i < this.k ? i : i - this.k)) as Pointer;
        s.out.set(new Uint8Array(toArrayBuffer(fragment, 0, s.fragmentLength)), i * s.stride + s.lead);
      }
      return s;
    } finally {
      this.lib.liberasurecode_encode_cleanup(desc, dataArray, parityArray);
    }
  }

  /** The one-time check that the ISA-L path gives liberasurecode's bytes exactly. */
  private sameAsFast(block: Uint8Array, c: Slots): boolean {
    const mine = this.slotsFor(c.fragmentLength, undefined, c.lead);
    this.fast!.encode(block, mine);
    const a = this.views(c);
    return this.views(mine).every((v, i) => Buffer.from(v.buffer, v.byteOffset, v.length).equals(a[i]!));
  }

  private slotsFor(fragmentLength: number, into: Uint8Array | undefined, headroom: number): Slots {
    const { stride, lead } = slotGeometry(fragmentLength, headroom);
    return { out: outputBuffer(encodedLength(this.k + this.m, fragmentLength, headroom), into), stride, lead, fragmentLength };
  }

  private views(s: Slots): Uint8Array[] {
    return Array.from({ length: this.k + this.m }, (_, i) => s.out.subarray(i * s.stride + s.lead, i * s.stride + s.lead + s.fragmentLength));
  }

  /** The original block from at least k fragments (any order: each header carries its index). */
  decode(fragments: Uint8Array[], fragmentLength: number): Uint8Array {
    const desc = this.live();
    const pointers = this.pointerArray(fragments, fragmentLength);
    this.slots.fill(0n);
    const ret = this.lib.liberasurecode_decode(desc, pointers, fragments.length, fragmentLength, 0, this.slot[0], this.slot[1]);
    check(ret, "liberasurecode_decode");
    const data = Number(this.slots[0]) as Pointer;
    try {
      const length = Number(this.slots[1]);
      const block = Buffer.allocUnsafe(length);
      block.set(new Uint8Array(toArrayBuffer(data, 0, length)));
      return block;
    } finally {
      this.lib.liberasurecode_decode_cleanup(desc, data);
    }
  }

  /** Rebuilds fragment `index` (header included) into JS memory; C allocates nothing we must free. */
  reconstruct(fragments: Uint8Array[], fragmentLength: number, index: number): Uint8Array {
    const desc = this.live();
    if (!Number.isInteger(index) || index < 0 || index >= this.k + this.m) {
      throw new EcError("EINVALIDPARAMS", `fragment index ${index} outside 0..${this.k + this.m - 1}`);
    }
    const pointers = this.pointerArray(fragments, fragmentLength);
    const out = Buffer.allocUnsafe(fragmentLength); // C fills all of it (memcpy of fragment_len bytes)
    const ret = this.lib.liberasurecode_reconstruct_fragment(desc, pointers, fragments.length, fragmentLength, index, out);
    check(ret, "liberasurecode_reconstruct_fragment");
    return out;
  }

  destroy(): void {
    if (this.desc < 0) return;
    const desc = this.desc;
    this.desc = -1;
    check(this.lib.liberasurecode_instance_destroy(desc), "liberasurecode_instance_destroy");
  }

  private live(): number {
    if (this.desc < 0) throw new EcError("ECLOSED", `${this.backend} ${this.k}+${this.m} instance already destroyed`);
    return this.desc;
  }

  private checkLength(length: number): void {
    if (!Number.isInteger(length) || length < 1 || length > MAX_BLOCK) {
      throw new EcError("EINVALIDPARAMS", `block length ${length} outside 1..${MAX_BLOCK}`);
    }
  }

  private pointerArray(fragments: Uint8Array[], fragmentLength: number): BigUint64Array {
    if (fragments.length < this.k || fragments.length > this.k + this.m) {
      throw new EcError("EINSUFFFRAGS", `${fragments.length} fragments given, need ${this.k}..${this.k + this.m}`);
    }
    if (!Number.isInteger(fragmentLength) || fragmentLength <= FRAGMENT_HEADER.size) {
      throw new EcError("EBADHEADER", `fragment length ${fragmentLength} cannot hold a header`);
    }
    const pointers = new BigUint64Array(fragments.length);
    fragments.forEach((fragment, i) => {
      if (fragment.length !== fragmentLength) {
        throw new EcError("EINVALIDPARAMS", `fragment ${i} has ${fragment.length} bytes, expected ${fragmentLength}`);
      }
      pointers[i] = BigInt(ptr(fragment));
    });
    return pointers;
  }
}

/**
 * Where fragments sit in an encode output: each slot is `lead` bytes of headroom then the
 * fragment, both multiples of 16, because liberasurecode copies any fragment that is not 16-byte
 * aligned before decoding it (and the caller's buffer is assumed 16-byte aligned).
 */
export function slotGeometry(fragmentLength: number, headroom: number): { stride: number; lead: number } {
  if (!Number.isInteger(headroom) || headroom < 0) throw new EcError("EINVALIDPARAMS", `headroom ${headroom} is not a non-negative integer`);
  const lead = Math.ceil(headroom / 16) * 16;
  return { stride: lead + Math.ceil(fragmentLength / 16) * 16, lead };
}

/** Bytes an encode output needs for k+m fragments of `fragmentLength` with `headroom` before each. */
export function encodedLength(fragments: number, fragmentLength: number, headroom = 0): number {
  const { stride, lead } = slotGeometry(fragmentLength, headroom);
  return stride * (fragments - 1) + lead + fragmentLength;
}

function outputBuffer(length: number, into: Uint8Array | undefined): Uint8Array {
  if (into === undefined) return Buffer.allocUnsafe(length); // unzeroed: every byte is overwritten
  if (into.length < length) {
    throw new EcError("EINVALIDPARAMS", `output buffer of ${into.length} bytes cannot hold ${length} bytes of shards`);
  }
  return into;
}

function ecArgs(backend: BackendName, k: number, m: number): Uint8Array {
  const args = new Uint8Array(EC_ARGS.size);
  const view = new DataView(args.buffer);
  view.setInt32(EC_ARGS.k, k, true);
  view.setInt32(EC_ARGS.m, m, true);
  view.setInt32(EC_ARGS.w, BACKEND_WORD_SIZE[backend], true);
  view.setInt32(EC_ARGS.hd, m, true);
  view.setInt32(EC_ARGS.ct, CHKSUM_NONE, true);
  return args;
}
