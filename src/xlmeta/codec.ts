/**
 * encodeXlMeta / decodeXlMeta: XlMeta ↔ the bytes of one xl.meta file (layout in frame.ts,
 * body in wire.ts). Decoding never crashes and never returns a wrong value: damage anywhere
 * fails a checksum, and a checksum-valid but hostile body fails validation; both surface as
 * XlMetaError("FileCorrupt"), which the erasure layer treats as a healable drive fault.
 */

import { Packr } from "msgpackr";
import type { XlMeta } from "./types";
import { FORMAT_VERSION, readFrame, u16At, u32At, writeFrame } from "./frame";
import { bodyFromWire, versionToWire, type WireBody } from "./wire";
import { findViolation } from "./invariants";
import { corrupt } from "./read-checks";
import { checkMsgpack } from "./msgpack-guard";

/**
 * Plain, portable MessagePack only: no record extension (msgpackr's default would make the
 * file depend on shared structure state), no extra types; 64-bit ints decode as bigint so
 * nanosecond mod times round-trip exactly, and an int64 overflow throws instead of rounding.
 */
const packr = new Packr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  mapsAsObjects: true,
  variableMapSize: true,
  int64AsType: "bigint",
  largeBigIntToFloat: false,
  useBigIntExtension: false,
});

export interface EncodeOptions {
  /** Only tests set this: 1 writes the v1 layout, others "the future" in today's layout. */
  formatVersion?: number;
}

/**
 * v2's drive section, at the start of the inline section: what differs between the drives
 * of a set apart from their inline shard bytes, so that every drive writes the same body (and a
 * listing can tell that drives agree by comparing bodies). Layout: version count (u32 LE),
 * then one erasure index per version, in body order (u16 LE; 0 for a delete marker).
 */
function driveSection(meta: XlMeta): Uint8Array {
  const out = new Uint8Array(4 + 2 * meta.versions.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, meta.versions.length, true);
  meta.versions.forEach((v, i) => view.setUint16(4 + 2 * i, v.type === "object" ? v.erasure.index : 0, true));
  return out;
}

export interface DriveSection {
  /** Per version, in body order: this drive's erasure index (0 for a delete marker). */
  indexes: number[];
  /** The inline shard bytes that follow it: `bytes[inlineAt…inlineEnd)` (offsets, not a view). */
  bytes: Uint8Array;
  inlineAt: number;
  inlineEnd: number;
}

/** Reads the v2 inline section `bytes[at…end)`: the drive section and where the shard bytes are; null: malformed. */
export function readDriveSection(bytes: Uint8Array, at: number, end: number): DriveSection | null {
  if (end - at < 4) return null;
  const count = u32At(bytes, at);
  const inlineAt = at + 4 + 2 * count;
  if (inlineAt > end) return null;
  const indexes = new Array<number>(count);
  for (let i = 0; i < count; i++) indexes[i] = u16At(bytes, at + 4 + 2 * i);
  return { indexes, bytes, inlineAt, inlineEnd: end };
}

/** Serialises `meta`; throws RangeError if it breaks an invariant (see invariants.ts). */
export function encodeXlMeta(meta: XlMeta, options: EncodeOptions = {}): Uint8Array {
  const violation = findViolation(meta);
  if (violation !== null) throw new RangeError(`invalid XlMeta: ${violation}`);
  const index: [string, number][] = [];
  const chunks: Uint8Array[] = [];
  for (const [key, bytes] of meta.inline) {
    index.push([key, bytes.byteLength]);
    chunks.push(bytes);
  }
  const version = options.formatVersion ?? FORMAT_VERSION;
  const v1 = version === 1;
  const body: WireBody = { v: meta.versions.map((v) => versionToWire(v, v1)), i: index };
  return writeFrame({ body: packr.pack(body), inline: v1 ? chunks : [driveSection(meta), ...chunks] }, version);
}

function unpackBody(body: Uint8Array): unknown {
  checkMsgpack(body);
  try {
    return packr.unpack(body);
  } catch (err) {
    // msgpackr throws plain Errors (and RangeError on deep nesting); all mean "not our body".
    throw corrupt(`body is not valid msgpack: ${(err as Error).message}`);
  }
}

function sliceInline(index: [string, number][], section: Uint8Array): Map<string, Uint8Array> {
  const inline = new Map<string, Uint8Array>();
  let pos = 0;
  for (const [key, length] of index) {
    if (inline.has(key)) throw corrupt(`inline data for ${key} listed twice`);
    if (pos + length > section.byteLength) throw corrupt("inline index overruns the section");
    inline.set(key, section.subarray(pos, pos + length));
    pos += length;
  }
  if (pos !== section.byteLength) throw corrupt("inline section has unindexed bytes");
  return inline;
}

/**
 * Parses one xl.meta file. Inline byte arrays are views into `bytes` (no copy): do not reuse
 * the input buffer while the result is alive.
 */
export function decodeXlMeta(bytes: Uint8Array): XlMeta {
  const frame = readFrame(bytes);
  let drive: DriveSection | null = null;
  if (frame.version !== 1) {
    drive = readDriveSection(frame.inline, 0, frame.inline.length);
    if (drive === null) throw corrupt("drive section: malformed");
  }
  const decoded = bodyFromWire(unpackBody(frame.body), drive?.indexes ?? null);
  const meta: XlMeta = {
    versions: decoded.versions,
    inline: sliceInline(decoded.inlineIndex, drive ? frame.inline.subarray(drive.inlineAt) : frame.inline),
  };
  const violation = findViolation(meta);
  if (violation !== null) throw corrupt(violation);
  return meta;
}
