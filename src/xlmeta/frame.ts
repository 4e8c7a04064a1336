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
export const HASH_SIZE = 8;
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

// Little-endian reads by hand: a listing parses three frames per key, and a DataView per frame
// (with the `buffer` it needs) was a measurable share of its main thread.
export function u16At(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

export function u32At(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

const scratch = new Uint8Array(HASH_SIZE);
const scratchView = new DataView(scratch.buffer);

/** Whether the u64 LE stored at `bytes[at…]` is the hash of `data`. */
export function hashMatches(bytes: Uint8Array, at: number, data: Uint8Array): boolean {
  scratchView.setBigUint64(0, hash64(data), true);
  for (let i = 0; i < HASH_SIZE; i++) if (bytes[at + i] !== scratch[i]) return false;
  return true;
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
  const bodyLen = u32At(bytes, 12);
  const inlineAt = HEADER_SIZE + bodyLen + HASH_SIZE;
  const inline = bytes.subarray(inlineAt, inlineAt + u32At(bytes, 16));
  return { version: u16At(bytes, 8), body: bytes.subarray(HEADER_SIZE, HEADER_SIZE + bodyLen), inline };
}

/** Checks the frame and both hashes; returns views into `bytes` (no copies). */
export function readFrame(bytes: Uint8Array): Frame {
  if (bytes.byteLength < HEADER_SIZE) throw corrupt("shorter than the header");
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw corrupt("bad magic");
  }
  if (u32At(bytes, 20) !== headerCrc(bytes)) throw corrupt("header checksum mismatch");
  const version = u16At(bytes, 8);
  if (version === 0) throw corrupt("format version 0");
  if (version > FORMAT_VERSION) {
    throw new XlMetaError("UnsupportedVersion", `format version ${version} > ${FORMAT_VERSION}`);
  }
  if (u16At(bytes, 10) !== 0) throw corrupt("unknown flags");
  const bodyLen = u32At(bytes, 12);
  const inlineLen = u32At(bytes, 16);
  if (bytes.byteLength !== HEADER_SIZE + bodyLen + HASH_SIZE + inlineLen + HASH_SIZE) {
    throw corrupt("length does not match header");
  }
  const frame = acceptedFrame(bytes);
  if (!hashMatches(bytes, HEADER_SIZE + bodyLen, frame.body)) throw corrupt("body checksum mismatch");
  if (!hashMatches(bytes, bytes.byteLength - HASH_SIZE, frame.inline)) throw corrupt("inline checksum mismatch");
  return frame;
}
