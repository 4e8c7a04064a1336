/**
 * A linear pre-scan of an untrusted msgpack body before msgpackr sees it.
 *
 * Why: msgpackr trusts declared container sizes. A 5-byte array32 header claiming ~100M
 * elements makes it allocate a dense array of that length (seconds and ~1 GB) before it notices
 * the data ends; a hostile xl.meta with valid checksums could stall or OOM a server that way.
 * This scan keeps a count of values still owed and fails as soon as more values are owed than
 * bytes remain (every value takes at least one byte), so no size claim can exceed the body.
 * It also refuses extension types: Cairn never writes them, and refusing them keeps msgpackr's
 * extension decoders (dates, records, structured-clone references) out of reach of a file.
 */

import { corrupt } from "./read-checks";

/** Fixed byte counts after the type byte for scalar tokens 0xc0..0xd3 (-1: not a scalar). */
const SCALAR_SIZE: Record<number, number> = {
  0xc0: 0, 0xc2: 0, 0xc3: 0, 0xca: 4, 0xcb: 8,
  0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8,
};

/** Tokens carrying a byte length (str, bin) or a count (array, map): width of the length field. */
const LENGTH_WIDTH: Record<number, number> = {
  0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4, 0xdc: 2, 0xdd: 4, 0xde: 2, 0xdf: 4,
};

function readLength(view: DataView, at: number, width: number): number {
  if (width === 1) return view.getUint8(at);
  return width === 2 ? view.getUint16(at) : view.getUint32(at);
}

interface Step {
  /** Bytes this token occupies, including its payload (but not child values). */
  size: number;
  /** Child values this token adds (array items, map keys and values). */
  children: number;
}

function step(view: DataView, at: number): Step {
  const token = view.getUint8(at);
  if (token <= 0x7f || token >= 0xe0) return { size: 1, children: 0 };
  if (token <= 0x8f) return { size: 1, children: 2 * (token & 0x0f) };
  if (token <= 0x9f) return { size: 1, children: token & 0x0f };
  if (token <= 0xbf) return { size: 1 + (token & 0x1f), children: 0 };
  const scalar = SCALAR_SIZE[token];
  if (scalar !== undefined) return { size: 1 + scalar, children: 0 };
  const width = LENGTH_WIDTH[token];
  if (width === undefined) throw corrupt(`msgpack token 0x${token.toString(16)} not allowed`);
  if (at + 1 + width > view.byteLength) throw corrupt("msgpack length runs past the end");
  const length = readLength(view, at + 1, width);
  if (token >= 0xdc) return { size: 1 + width, children: token >= 0xde ? 2 * length : length };
  return { size: 1 + width + length, children: 0 };
}

/** Throws FileCorrupt unless `body` is exactly one complete msgpack value of allowed types. */
export function checkMsgpack(body: Uint8Array): void {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  let owed = 1;
  while (owed > 0) {
    if (at >= body.byteLength) throw corrupt("msgpack ends early");
    const { size, children } = step(view, at);
    at += size;
    owed += children - 1;
    if (at > body.byteLength || owed > body.byteLength - at) {
      throw corrupt("msgpack claims more data than the body holds");
    }
  }
  if (at !== body.byteLength) throw corrupt("bytes after the msgpack body");
}
