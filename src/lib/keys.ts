/**
 * Object key and bucket name rules, and the one key ordering used everywhere.
 *
 * Validation returns a problem code (a literal union, compared with `===`, never parsed) or
 * null, so callers can map "KeyTooLong" to S3's KeyTooLong and everything else to
 * InvalidObjectName without looking at message text.
 */

export const MAX_KEY_BYTES = 1024;

export type KeyProblem =
  | "Empty"
  | "KeyTooLong"
  | "NulCharacter"
  | "LoneSurrogate"
  | "LeadingSlash"
  | "DotSegment"
  | "EmptySegment";

const KEY_PROBLEM_TEXT: Record<KeyProblem, string> = {
  Empty: "the key is empty",
  KeyTooLong: `the key is longer than ${MAX_KEY_BYTES} bytes in UTF-8`,
  NulCharacter: "the key contains a NUL character",
  LoneSurrogate: "the key is not valid Unicode (lone surrogate)",
  LeadingSlash: "the key starts with '/'",
  DotSegment: "the key has a '.' or '..' path segment",
  EmptySegment: "the key has an empty path segment ('//')",
};

export function describeKeyProblem(problem: KeyProblem): string {
  return KEY_PROBLEM_TEXT[problem];
}

/** UTF-8 length of a well-formed string, without allocating the encoding. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair: one 4-byte code point
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Null when `key` is a storable object key. A trailing '/' is allowed (folder markers such as
 * `photos/` are common); every other segment must be non-empty and not `.` or `..`, because
 * keys map to directories and such segments would alias or escape.
 */
export function validateObjectKey(key: string): KeyProblem | null {
  if (key.length === 0) return "Empty";
  if (!key.isWellFormed()) return "LoneSurrogate";
  if (utf8Length(key) > MAX_KEY_BYTES) return "KeyTooLong";
  if (key.includes("\0")) return "NulCharacter";
  if (key.startsWith("/")) return "LeadingSlash";
  const segments = key.split("/");
  const last = segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const seg = segments[i]!;
    if (seg === "." || seg === "..") return "DotSegment";
    if (seg === "" && i !== last) return "EmptySegment";
  }
  return null;
}

export type BucketNameProblem =
  | "Length"
  | "Characters"
  | "Edge"
  | "AdjacentDots"
  | "DotDash"
  | "IpAddress"
  | "Reserved";

const BUCKET_PROBLEM_TEXT: Record<BucketNameProblem, string> = {
  Length: "bucket names are 3 to 63 characters long",
  Characters: "bucket names use only lowercase letters, digits, '.' and '-'",
  Edge: "bucket names start and end with a letter or digit",
  AdjacentDots: "bucket names have no two adjacent dots",
  DotDash: "bucket names have no '.-' or '-.'",
  IpAddress: "bucket names are not formatted as IP addresses",
  Reserved: "this bucket name is reserved",
};

export function describeBucketNameProblem(problem: BucketNameProblem): string {
  return BUCKET_PROBLEM_TEXT[problem];
}

// Prefixes and suffixes AWS reserves for its own endpoints, plus our and MinIO's system names.
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", "--x-s3", ".mrap"];
const RESERVED_NAMES = new Set(["cairn.sys", "minio.sys"]);

/** Null when `name` follows the S3 bucket naming rules. */
export function validateBucketName(name: string): BucketNameProblem | null {
  if (name.length < 3 || name.length > 63) return "Length";
  if (!/^[a-z0-9.-]+$/.test(name)) return "Characters";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "Edge";
  if (name.includes("..")) return "AdjacentDots";
  if (name.includes(".-") || name.includes("-.")) return "DotDash";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "IpAddress";
  if (RESERVED_NAMES.has(name)) return "Reserved";
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return "Reserved";
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return "Reserved";
  return null;
}

/**
 * S3 key order: by UTF-8 bytes, which is code point order. JS `<` compares UTF-16 code units
 * and disagrees for characters above U+FFFF versus U+E000–U+FFFF, so fix up that one case.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (U+10000 and up) move above U+E000–U+FFFF; the shift keeps both blocks ordered.
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
