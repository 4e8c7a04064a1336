/**
 * encodeXlMeta / decodeXlMeta: XlMeta ↔ the bytes of one xl.meta file (layout in frame.ts,
 * body in wire.ts). Decoding never crashes and never returns a wrong value: damage anywhere
 * fails a checksum, and a checksum-valid but hostile body fails validation; both surface as
 * XlMetaError("FileCorrupt"), which the erasure layer treats as a healable drive fault.
 */

import { Packr } from "msgpackr";
import type { XlMeta } from "./types";
import { FORMAT_VERSION, readFrame, writeFrame } from "./frame";
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
  /** Only tests set this, to write files "from the future". */
  formatVersion?: number;
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
  const body: WireBody = { v: meta.versions.map(versionToWire), i: index };
  return writeFrame({ body: packr.pack(body), inline: chunks }, options.formatVersion ?? FORMAT_VERSION);
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
  const decoded = bodyFromWire(unpackBody(frame.body));
  const meta: XlMeta = {
    versions: decoded.versions,
    inline: sliceInline(decoded.inlineIndex, frame.inline),
  };
  const violation = findViolation(meta);
  if (violation !== null) throw corrupt(violation);
  return meta;
}
