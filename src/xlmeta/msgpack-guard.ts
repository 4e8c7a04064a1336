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

// What each first byte is. Tables rather than branches: this runs on every xl.meta read.
// 0 (the default): not allowed — ext types and the never-used 0xc1.
const FIXED = 1; // scalar: SIZE[token] bytes follow
const BYTES = 2; // str/bin: a WIDTH-byte length, then that many bytes
const ARRAY = 3; // a WIDTH-byte item count
const MAP = 4; // a WIDTH-byte entry count
const FIX_ARRAY = 5;
const FIX_MAP = 6;
const FIX_STR = 7;

const KIND = new Uint8Array(256);
const SIZE = new Uint8Array(256);
const WIDTH = new Uint8Array(256);

function define(kind: number, tokens: number[], sizes: number[]): void {
  tokens.forEach((token, i) => {
    KIND[token] = kind;
    if (kind === FIXED) SIZE[token] = sizes[i] ?? 0;
    else WIDTH[token] = sizes[i] ?? 0;
  });
}

for (let t = 0x00; t <= 0x7f; t++) KIND[t] = FIXED;
for (let t = 0xe0; t <= 0xff; t++) KIND[t] = FIXED;
for (let t = 0x80; t <= 0x8f; t++) KIND[t] = FIX_MAP;
for (let t = 0x90; t <= 0x9f; t++) KIND[t] = FIX_ARRAY;
for (let t = 0xa0; t <= 0xbf; t++) KIND[t] = FIX_STR;
define(FIXED, [0xc0, 0xc2, 0xc3, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3],
  [0, 0, 0, 4, 8, 1, 2, 4, 8, 1, 2, 4, 8]);
define(BYTES, [0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb], [1, 2, 4, 1, 2, 4]);
define(ARRAY, [0xdc, 0xdd], [2, 4]);
define(MAP, [0xde, 0xdf], [2, 4]);

/** A big-endian length (msgpack's byte order), read by hand: no DataView per body. */
function readLength(body: Uint8Array, at: number, width: number): number {
  if (at + width > body.byteLength) throw corrupt("msgpack length runs past the end");
  if (width === 1) return body[at]!;
  if (width === 2) return (body[at]! << 8) | body[at + 1]!;
  return ((body[at]! << 24) | (body[at + 1]! << 16) | (body[at + 2]! << 8) | body[at + 3]!) >>> 0;
}

/** Cairn's body nests 6 deep (body → versions → version → parts → part → checksums). */
const MAX_DEPTH = 16;

/** Bytes of the token at `at` itself; adds its children (if any) to `open`. */
function consume(body: Uint8Array, at: number, open: OpenContainers): number {
  const token = body[at]!;
  switch (KIND[token]) {
    case FIXED: return 1 + SIZE[token]!;
    case FIX_STR: return 1 + (token & 0x1f);
    case FIX_ARRAY: open.push(token & 0x0f); return 1;
    case FIX_MAP: open.push(2 * (token & 0x0f)); return 1;
    case BYTES: return 1 + WIDTH[token]! + readLength(body, at + 1, WIDTH[token]!);
    case ARRAY: open.push(readLength(body, at + 1, WIDTH[token]!)); return 1 + WIDTH[token]!;
    case MAP: open.push(2 * readLength(body, at + 1, WIDTH[token]!)); return 1 + WIDTH[token]!;
    default: throw corrupt(`msgpack token 0x${token.toString(16)} not allowed`);
  }
}

/** Values still owed per open container, innermost last, and their total. */
class OpenContainers {
  private readonly left = new Float64Array(MAX_DEPTH + 1);
  private depth = 1;
  owed = 1;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.left[0] = 1; // the body itself is one value
    this.depth = 1;
    this.owed = 1;
  }

  get done(): boolean {
    return this.depth === 0;
  }

  /** One value was read: it counts against the innermost open container. */
  took(): void {
    this.owed--;
    this.left[this.depth - 1]!--;
  }

  push(children: number): void {
    if (children === 0) return;
    if (this.depth === MAX_DEPTH) throw corrupt("msgpack nests too deep");
    this.left[this.depth++] = children;
    this.owed += children;
  }

  closeFinished(): void {
    while (this.depth > 0 && this.left[this.depth - 1] === 0) this.depth--;
  }
}

/** One for every check: a check runs to its end without yielding, so none can interleave. */
const open = new OpenContainers();

/** Throws FileCorrupt unless `body` is exactly one complete msgpack value of allowed types. */
export function checkMsgpack(body: Uint8Array): void {
  const end = body.byteLength;
  open.reset();
  let at = 0;
  while (!open.done) {
    if (at >= end) throw corrupt("msgpack ends early");
    open.took();
    at += consume(body, at, open);
    if (at > end || open.owed > end - at) throw corrupt("msgpack claims more data than the body holds");
    open.closeFinished();
  }
  if (at !== end) throw corrupt("bytes after the msgpack body");
}
