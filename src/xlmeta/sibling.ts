/**
 * Decoding the xl.meta of one key on another drive of its set, given one drive's already
 * decoded file. Drives of a set write the same xl.meta but for each version's erasure index
 * (which shard the drive holds) and their own inline shard bytes. In v2 those sit in the drive
 * section, outside the body, so the drives' bodies are equal; in v1 the index is inside the body
 * (`ec.ix`), so bodies are equal but for those bytes. Either way, the full decoder would return
 * the reference's value with that drive's indexes and inline slices: the msgpack structure is
 * the same, every other value is the same bytes, no check of the decoder relates an index to
 * anything but its own version's shard count, and the inline section is sliced by the same
 * index. So that value is built directly, and anything else (another body, another index width,
 * another inline length) is decoded in full. Every file's frame (header CRC, body and inline
 * hashes) is still checked.
 *
 * Why: a listing decodes the same key on m + 1 drives; the full decode (msgpack, structure
 * guard, field and cross-version checks) was most of its per-key CPU after the disk reads.
 */
import { decodeXlMeta, readDriveSection, type DriveSection } from "./codec";
import { acceptedFrame, HASH_SIZE, HEADER_SIZE, hashMatches, readFrame, u16At, u32At, type Frame } from "./frame";
import type { ObjectVersionMeta, VersionMeta, XlMeta } from "./types";

/** Where, in a body, each object version's `ec.ix` value byte is (by version index). */
type IxAt = Map<number, number>;

// Scanner states: which container of the body's schema the walk is in.
const OTHER = 0;
const BODY = 1;
const VERSIONS = 2;
const VERSION = 3;
const ERASURE = 4;

const KEY_V = [0x76];
const KEY_EC = [0x65, 0x63];
const KEY_IX = [0x69, 0x78];

interface Open {
  state: number;
  left: number;
  isMap: boolean;
  /** Map: the last key, as its offset and length (values follow their key). */
  keyAt: number;
  keyLen: number;
  /** VERSIONS: index of the next element. */
  next: number;
  /** VERSION/ERASURE: which version this is. */
  version: number;
}

function keyIs(body: Uint8Array, o: Open, key: number[]): boolean {
  if (o.keyLen !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (body[o.keyAt + i] !== key[i]) return false;
  return true;
}

/** Size of a non-container token's header and payload, or -1 for a container / unknown. */
function scalarSize(body: Uint8Array, at: number): number {
  const t = body[at]!;
  if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return 1;
  if (t >= 0xa0 && t <= 0xbf) return 1 + (t & 0x1f);
  switch (t) {
    case 0xcc: case 0xd0: return 2;
    case 0xcd: case 0xd1: return 3;
    case 0xca: case 0xce: case 0xd2: return 5;
    case 0xcb: case 0xcf: case 0xd3: return 9;
    case 0xd9: case 0xc4: return 2 + body[at + 1]!;
    case 0xda: case 0xc5: return 3 + ((body[at + 1]! << 8) | body[at + 2]!);
    case 0xdb: case 0xc6: return 5 + new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0);
    default: return -1;
  }
}

/** Header size and item count of a container token (maps count keys and values), or null. */
function containerOf(body: Uint8Array, at: number): { head: number; items: number; isMap: boolean } | null {
  const t = body[at]!;
  if (t >= 0x80 && t <= 0x8f) return { head: 1, items: 2 * (t & 0x0f), isMap: true };
  if (t >= 0x90 && t <= 0x9f) return { head: 1, items: t & 0x0f, isMap: false };
  if (t < 0xdc || t > 0xdf) return null;
  const view = new DataView(body.buffer, body.byteOffset + at + 1);
  if (t === 0xdc) return { head: 3, items: view.getUint16(0), isMap: false };
  if (t === 0xdd) return { head: 5, items: view.getUint32(0), isMap: false };
  if (t === 0xde) return { head: 3, items: 2 * view.getUint16(0), isMap: true };
  if (t === 0xdf) return { head: 5, items: 2 * view.getUint32(0), isMap: true };
  return null;
}

/** Records the map key at `at`: a fixstr or str8 (Cairn's keys are short); others match nothing. */
function setKey(body: Uint8Array, at: number, o: Open): void {
  const t = body[at]!;
  if (t >= 0xa0 && t <= 0xbf) [o.keyAt, o.keyLen] = [at + 1, t & 0x1f];
  else if (t === 0xd9) [o.keyAt, o.keyLen] = [at + 2, body[at + 1]!];
  else o.keyLen = -1;
}

/** The state of a container that is the current value of `o`, or OTHER. */
function childState(body: Uint8Array, o: Open, isMap: boolean): number {
  if (o.state === BODY && !isMap && keyIs(body, o, KEY_V)) return VERSIONS;
  if (o.state === VERSIONS && isMap) return VERSION;
  if (o.state === VERSION && isMap && keyIs(body, o, KEY_EC)) return ERASURE;
  return OTHER;
}

/**
 * Offsets of each version's `ec.ix` byte in a body the full decoder accepted; null when one is
 * not a one-byte integer (then the caller decodes in full).
 */
function ixOffsets(body: Uint8Array): IxAt | null {
  const top = containerOf(body, 0);
  if (top === null || !top.isMap) return null;
  const stack: Open[] = [{ state: BODY, left: top.items, isMap: true, keyAt: 0, keyLen: 0, next: 0, version: -1 }];
  const out: IxAt = new Map();
  let at = top.head;
  while (stack.length > 0) {
    const o = stack[stack.length - 1]!;
    if (o.left === 0) {
      stack.pop();
      continue;
    }
    const isKey = o.isMap && o.left % 2 === 0;
    o.left--;
    const version = o.state === VERSIONS ? o.next++ : o.version;
    const c = containerOf(body, at);
    if (c !== null) {
      const state = isKey ? OTHER : childState(body, o, c.isMap);
      stack.push({ state, left: c.items, isMap: c.isMap, keyAt: 0, keyLen: 0, next: 0, version });
      at += c.head;
      continue;
    }
    const size = scalarSize(body, at);
    if (size < 0) return null;
    if (isKey) setKey(body, at, o);
    else if (o.state === ERASURE && keyIs(body, o, KEY_IX)) {
      if (size !== 1 || body[at]! > 0x7f) return null;
      out.set(o.version, at);
    }
    at += size;
  }
  return out;
}

/**
 * One drive's decoded xl.meta of a key, kept to decode the same key on the other drives.
 * `bytes` must be the file decodeXlMeta accepted to give `meta`: its frame is not checked again.
 */
export class SiblingRef {
  private frame: Frame | undefined;
  private ixAt: IxAt | null | undefined;
  /** `ixAt` inverted: the version whose index byte is at an offset. */
  private readonly versionAt = new Map<number, number>();
  /** Bytes of inline data the reference's versions hold, in total. */
  private readonly inlineBytes: number;
  private readonly v1: boolean;

  constructor(
    private readonly bytes: Uint8Array,
    readonly meta: XlMeta,
  ) {
    let total = 0;
    for (const data of meta.inline.values()) total += data.length;
    this.inlineBytes = total;
    this.v1 = u16At(bytes, 8) === 1;
  }

  /** The xl.meta in `bytes` exactly as decodeXlMeta returns it (throws as it throws). */
  decode(bytes: Uint8Array): XlMeta {
    const drive = this.driveIfSame(bytes);
    return drive === null ? decodeXlMeta(bytes) : this.rebuild(drive);
  }

  /**
   * Whether `bytes` decode to `meta` but for each version's erasure index and the inline
   * shard bytes: what decode would rebuild, without building it (a listing reads neither).
   * Throws where the frame is damaged, as decode does.
   */
  agrees(bytes: Uint8Array): boolean {
    if (this.driveIfSame(bytes) !== null) return true;
    readFrame(bytes);
    return false;
  }

  /**
   * The drive part (indexes and inline bytes) of `bytes`, a valid frame whose body is the
   * reference's but for valid index bytes (v1) or equal (v2), when its drive part is what the
   * decoder accepts; null otherwise (also when `bytes` are damaged).
   */
  private driveIfSame(bytes: Uint8Array): DriveSection | null {
    const drive = this.v1 ? this.v1Drive(bytes) : this.v2Drive(bytes);
    if (drive === null || drive.inlineEnd - drive.inlineAt !== this.inlineBytes) return null;
    const versions = this.meta.versions;
    if (drive.indexes.length !== versions.length) return null;
    for (let i = 0; i < versions.length; i++) {
      const v = versions[i]!;
      if (v.type === "object" ? !validIndex(drive.indexes[i]!, v) : drive.indexes[i] !== 0) return null;
    }
    return drive;
  }

  /**
   * v2: the header (with its CRC), the body and its hash are the reference's bytes, which were
   * checked; so only the inline hash is left to check. No frame is parsed.
   */
  private v2Drive(bytes: Uint8Array): DriveSection | null {
    const ref = this.bytes;
    if (bytes.length !== ref.length) return null;
    const inlineAt = HEADER_SIZE + u32At(ref, 12) + HASH_SIZE;
    for (let i = 0; i < inlineAt; i++) if (bytes[i] !== ref[i]) return null;
    const end = bytes.length - HASH_SIZE;
    return hashMatches(bytes, end, bytes.subarray(inlineAt, end)) ? readDriveSection(bytes, inlineAt, end) : null;
  }

  private v1Drive(bytes: Uint8Array): DriveSection | null {
    let frame: Frame;
    try {
      frame = readFrame(bytes);
    } catch {
      return null;
    }
    const ref = (this.frame ??= acceptedFrame(this.bytes));
    if (frame.version !== 1 || frame.body.length !== ref.body.length) return null;
    if (this.ixAt === undefined) {
      this.ixAt = ixOffsets(ref.body);
      for (const [version, at] of this.ixAt ?? []) this.versionAt.set(at, version);
    }
    const ixAt = this.ixAt;
    if (ixAt === null) return null;
    const a = frame.body;
    const b = ref.body;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      const version = this.versionAt.get(i);
      // Above 0x7f the byte is another msgpack token, not a one-byte index: decode in full.
      if (version === undefined || a[i]! > 0x7f || !validIndex(a[i]!, this.meta.versions[version])) return null;
    }
    // A version whose index byte was not located has the reference's byte there (checked above).
    const indexes = this.meta.versions.map((v, i) => {
      const at = ixAt.get(i);
      return at !== undefined ? a[at]! : v.type === "object" ? v.erasure.index : 0;
    });
    return { indexes, bytes: frame.inline, inlineAt: 0, inlineEnd: frame.inline.length };
  }

  private rebuild(drive: DriveSection): XlMeta {
    const versions: VersionMeta[] = this.meta.versions.map((v, i) => {
      if (v.type !== "object") return v;
      return { ...v, erasure: { ...v.erasure, index: drive.indexes[i]! } };
    });
    const inline = new Map<string, Uint8Array>();
    let pos = 0;
    for (const [key, data] of this.meta.inline) {
      inline.set(key, drive.bytes.subarray(drive.inlineAt + pos, drive.inlineAt + pos + data.length));
      pos += data.length;
    }
    return { versions, inline };
  }
}

/** The decoder's own range for an index: 1 … k + m of that version. */
function validIndex(ix: number, v: VersionMeta | undefined): boolean {
  if (v === undefined || v.type !== "object") return false;
  const e = (v as ObjectVersionMeta).erasure;
  return ix >= 1 && ix <= e.dataBlocks + e.parityBlocks;
}
