/**
 * The byte frame of an xl.meta file. Every format version starts with the same 24-byte header,
 * so a reader can always tell "damaged" (FileCorrupt) from "written by a newer Cairn"
 * (UnsupportedVersion) before it tries to understand the rest:
 *
 *   0   8  magic "CAIRNXLM"
 *   8   2  format version (u16 LE)
 *   10  2  flags (u16 LE, 0 in v1)
 *   12  4  body length (u32 LE)
 *   16  4  inline section length (u32 LE)
 *   20  4  CRC-32 of bytes 0..20 (u32 LE)
 *
 * v1 and v2 continue with: body (msgpack) ‖ xxHash3-64(body) (u64 LE) ‖ inline ‖
 * xxHash3-64(inline). In v2 the inline section starts with the drive section (codec.ts), which
 * holds the drive's erasure indexes that v1 kept in the body.
 * The header CRC means a flipped version byte reads as damage, not as a newer format; the two
 * 64-bit hashes mean a flipped byte anywhere else is caught before msgpack ever sees it.
 */

import { XlMetaError } from "./types";

export const MAGIC = new TextEncoder().encode("CAIRNXLM");
export const FORMAT_VERSION = 2;
export const HEADER_SIZE = 24;
const HASH_SIZE = 8;
const U32_MAX = 0xffff_ffff;

export interface FrameParts {
  body: Uint8Array;
  /** Inline section, in the order the body's inline index lists it. */
  inline: readonly Uint8Array[];
}

export interface Frame {
  version: number;
  body: Uint8Array;
  inline: Uint8Array;
}

function corrupt(detail: string): XlMetaError {
  return new XlMetaError("FileCorrupt", detail);
}

function hash64(bytes: Uint8Array): bigint {
  return BigInt.asUintN(64, Bun.hash.xxHash3(bytes));
}

function headerCrc(bytes: Uint8Array): number {
  return Bun.hash.crc32(bytes.subarray(0, 20)) >>> 0;
}

/** Lays out header, body, inline bytes and their checksums in one buffer. */
export function writeFrame(parts: FrameParts, version: number = FORMAT_VERSION): Uint8Array {
  const inlineLen = parts.inline.reduce((sum, b) => sum + b.byteLength, 0);
  if (parts.body.byteLength > U32_MAX || inlineLen > U32_MAX) {
    throw new RangeError("xl.meta body or inline section exceeds 4 GiB");
  }
  const total = HEADER_SIZE + parts.body.byteLength + HASH_SIZE + inlineLen + HASH_SIZE;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(8, version, true);
  view.setUint16(10, 0, true);
  view.setUint32(12, parts.body.byteLength, true);
  view.setUint32(16, inlineLen, true);
  view.setUint32(20, headerCrc(out), true);
  let pos = HEADER_SIZE;
  out.set(parts.body, pos);
  pos += parts.body.byteLength;
  view.setBigUint64(pos, hash64(parts.body), true);
  pos += HASH_SIZE;
  const inlineStart = pos;
  for (const chunk of parts.inline) {
    out.set(chunk, pos);
    pos += chunk.byteLength;
  }
  view.setBigUint64(pos, hash64(out.subarray(inlineStart, pos)), true);
  return out;
}

/** The views readFrame returns, for bytes it already accepted: nothing is checked again. */
export function acceptedFrame(bytes: Uint8Array): Frame {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyLen = view.getUint32(12, true);
  const inlineAt = HEADER_SIZE + bodyLen + HASH_SIZE;
  const inline = bytes.subarray(inlineAt, inlineAt + view.getUint32(16, true));
  return { version: view.getUint16(8, true), body: bytes.subarray(HEADER_SIZE, HEADER_SIZE + bodyLen), inline };
}

/** Checks the frame and both hashes; returns views into `bytes` (no copies). */
export function readFrame(bytes: Uint8Array): Frame {
  if (bytes.byteLength < HEADER_SIZE) throw corrupt("shorter than the header");
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw corrupt("bad magic");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(20, true) !== headerCrc(bytes)) throw corrupt("header checksum mismatch");
  const version = view.getUint16(8, true);
  if (version === 0) throw corrupt("format version 0");
  if (version > FORMAT_VERSION) {
    throw new XlMetaError("UnsupportedVersion", `format version ${version} > ${FORMAT_VERSION}`);
  }
  if (view.getUint16(10, true) !== 0) throw corrupt("unknown flags");
  const bodyLen = view.getUint32(12, true);
  const inlineLen = view.getUint32(16, true);
  if (bytes.byteLength !== HEADER_SIZE + bodyLen + HASH_SIZE + inlineLen + HASH_SIZE) {
    throw corrupt("length does not match header");
  }
  const frame = acceptedFrame(bytes);
  if (view.getBigUint64(HEADER_SIZE + bodyLen, true) !== hash64(frame.body)) throw corrupt("body checksum mismatch");
  if (view.getBigUint64(bytes.byteLength - HASH_SIZE, true) !== hash64(frame.inline)) {
    throw corrupt("inline checksum mismatch");
  }
  return frame;
}
