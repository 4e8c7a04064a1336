/**
 * Request header and query parsing shared by the handlers: metadata, digests, conditions,
 * ranges, copy sources, integer parameters. Each function either returns a typed value or
 * throws the S3 error AWS answers with.
 */
import type { ChecksumAlgorithm, Checksums, Conditions, ObjectMetadata, RangeSpec } from "../object/index";
import { checksumHeaderName } from "../lib/index";
import { S3Error } from "./errors";

/** AWS: user metadata (names + values, UTF-8) may not exceed 2 KiB. */
export const MAX_USER_METADATA = 2048;
/** AWS: a single PUT (or part) may not exceed 5 GiB. */
export const MAX_PUT_SIZE = 5 * 1024 ** 3;

const STORAGE_CLASSES = new Set(["STANDARD", "REDUCED_REDUNDANCY"]);

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/** Content-Type & co, `x-amz-meta-*`; tagging is handled by the caller (it lives in `system`). */
export function metadataFromHeaders(headers: Headers): ObjectMetadata {
  // Entries, then Object.fromEntries: it defines own properties, so `x-amz-meta-__proto__` is
  // kept as metadata (an assignment would hit the prototype setter and drop it).
  const entries: [string, string][] = [];
  let size = 0;
  for (const [name, value] of headers) {
    if (!name.startsWith("x-amz-meta-")) continue;
    const key = name.slice("x-amz-meta-".length);
    entries.push([key, value]);
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  const user: Record<string, string> = Object.fromEntries(entries);
  if (size > MAX_USER_METADATA) {
    throw new S3Error("MetadataTooLarge", { fields: { Size: String(size), MaxSizeAllowed: String(MAX_USER_METADATA) } });
  }
  const md: ObjectMetadata = { user };
  const set = (field: keyof Omit<ObjectMetadata, "user" | "system">, header: string) => {
    const v = headers.get(header);
    if (v !== null) md[field] = v;
  };
  set("contentType", "content-type");
  set("contentEncoding", "content-encoding");
  set("contentDisposition", "content-disposition");
  set("contentLanguage", "content-language");
  set("cacheControl", "cache-control");
  set("expires", "expires");
  // aws-chunked is a transfer framing, not a property of the object.
  if (md.contentEncoding !== undefined) {
    const rest = md.contentEncoding.split(",").map((s) => s.trim()).filter((s) => s !== "" && s !== "aws-chunked");
    md.contentEncoding = rest.length ? rest.join(",") : undefined;
    if (md.contentEncoding === undefined) delete md.contentEncoding;
  }
  return md;
}

/** Content-MD5 (base64 of 16 bytes) → hex; InvalidDigest when malformed. */
export function contentMd5Hex(headers: Headers): string | undefined {
  const v = headers.get("content-md5");
  if (v === null) return undefined;
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(v.trim()) ? Buffer.from(v.trim(), "base64") : Buffer.alloc(0);
  if (bytes.length !== 16) throw new S3Error("InvalidDigest");
  return bytes.toString("hex");
}

export function storageClass(headers: Headers): string | undefined {
  const v = headers.get("x-amz-storage-class");
  if (v === null) return undefined;
  if (!STORAGE_CLASSES.has(v)) throw new S3Error("InvalidStorageClass", { fields: { StorageClassRequested: v } });
  return v;
}

function httpDate(v: string | null): Date | undefined {
  if (v === null) return undefined;
  const d = new Date(v);
  // S3 ignores a date it cannot parse rather than failing the request.
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** GET/HEAD conditions, or the copy-source ones with `prefix = "x-amz-copy-source-"`. */
export function conditionsFromHeaders(headers: Headers, prefix = ""): Conditions | undefined {
  const c: Conditions = {};
  const ifMatch = headers.get(`${prefix}if-match`);
  const ifNoneMatch = headers.get(`${prefix}if-none-match`);
  if (ifMatch !== null) c.ifMatch = ifMatch;
  if (ifNoneMatch !== null) c.ifNoneMatch = ifNoneMatch;
  const ims = httpDate(headers.get(`${prefix}if-modified-since`));
  const ius = httpDate(headers.get(`${prefix}if-unmodified-since`));
  if (ims) c.ifModifiedSince = ims;
  if (ius) c.ifUnmodifiedSince = ius;
  return Object.keys(c).length ? c : undefined;
}

/**
 * Range header → spec. S3 ignores what it cannot use (several ranges, bad syntax, other units)
 * and serves the whole object; only a well-formed but unsatisfiable range is an error, and
 * that is decided against the size later.
 */
export function parseRange(v: string | null): RangeSpec | undefined {
  if (v === null) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(v);
  if (!m) return undefined;
  const [, a = "", b = ""] = m;
  if (a === "" && b === "") return undefined;
  if (a === "") return { type: "suffix", length: Number(b) };
  const start = Number(a);
  if (b === "") return { type: "from", start };
  const end = Number(b);
  return end < start ? undefined : { type: "from", start, end };
}

/** `x-amz-copy-source-range: bytes=first-last` (both required, first ≤ last). */
export function parseCopySourceRange(v: string | null): { start: number; end: number } | undefined {
  if (v === null) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(v.trim());
  const start = Number(m?.[1]);
  const end = Number(m?.[2]);
  if (!m || end < start) {
    throw new S3Error("InvalidArgument", {
      message: "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      fields: { ArgumentName: "x-amz-copy-source-range", ArgumentValue: v },
    });
  }
  return { start, end };
}

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** `x-amz-copy-source: [/]bucket/key[?versionId=id]`, URL-encoded. */
export function parseCopySource(v: string | null): CopySource {
  const bad = (cause?: unknown) =>
    new S3Error("InvalidArgument", {
      message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.",
      fields: { ArgumentName: "x-amz-copy-source", ArgumentValue: v ?? "" },
      cause,
    });
  if (v === null) throw bad();
  let path = v;
  let versionId: string | undefined;
  const q = v.indexOf("?");
  if (q >= 0) {
    path = v.slice(0, q);
    versionId = new URLSearchParams(v.slice(q + 1)).get("versionId") ?? undefined;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch (cause) {
    throw bad(cause);
  }
  if (decoded.startsWith("/")) decoded = decoded.slice(1);
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) throw bad();
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

export interface IntParam {
  min: number;
  max: number;
  /** Values above max are clamped (max-keys) rather than rejected. */
  clamp?: boolean;
}

/** RFC 9110 field-value characters (HTAB, SP, VCHAR, obs-text), as node:http enforces them. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function isHeaderValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/** Integer query parameter; InvalidArgument when not an integer in range. */
export function intParam(q: { get(name: string): string | null }, name: string, spec: IntParam): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= spec.min && (n <= spec.max || spec.clamp)) return Math.min(n, spec.max);
  throw new S3Error("InvalidArgument", {
    message: `Argument ${name} must be an integer between ${spec.min} and ${spec.max}`,
    fields: { ArgumentName: name, ArgumentValue: v },
  });
}

/** Checksums → `x-amz-checksum-<alg>` response headers. */
export function checksumHeaders(checksums: Checksums | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = checksums?.[alg];
    if (v !== undefined) out[checksumHeaderName(alg)] = v;
  }
  return out;
}

/** Checksums → `<ChecksumCRC32>` & co in XML results. */
export function checksumFields(checksums: Checksums | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = checksums?.[alg];
    if (v !== undefined) out[`Checksum${alg}`] = v;
  }
  return out;
}

export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

export function unquoteEtag(etag: string): string {
  return etag.trim().replace(/^W\//, "").replace(/^"|"$/g, "").replace(/^&quot;|&quot;$/g, "");
}

/** Declared body length for PUT/UploadPart: EntityTooLarge over 5 GiB, MissingContentLength when unknown and not chunked. */
export function declaredSize(headers: Headers, contentLength: number): number {
  if (contentLength > MAX_PUT_SIZE) {
    throw new S3Error("EntityTooLarge", { fields: { ProposedSize: String(contentLength), MaxSizeAllowed: String(MAX_PUT_SIZE) } });
  }
  if (contentLength >= 0) return contentLength;
  const chunked = (headers.get("transfer-encoding") ?? "").toLowerCase().includes("chunked");
  const awsChunked = (headers.get("content-encoding") ?? "").toLowerCase().includes("aws-chunked");
  if (!chunked && !awsChunked) throw new S3Error("MissingContentLength");
  return -1;
}

/**
 * Write headers that promise something Cairn cannot keep yet (encryption at rest, object lock).
 * Storing the object anyway would silently break the promise, so these are refused as 501.
 * ACL headers are accepted and ignored: every object is private to its single owner.
 */
const UNSUPPORTED_WRITE_HEADERS: Record<string, string> = {
  "x-amz-server-side-encryption": "Server-side encryption",
  "x-amz-server-side-encryption-customer-algorithm": "Server-side encryption with customer keys",
  "x-amz-server-side-encryption-aws-kms-key-id": "Server-side encryption with KMS keys",
};

export function rejectUnsupportedWriteHeaders(headers: Headers): void {
  for (const [name, what] of Object.entries(UNSUPPORTED_WRITE_HEADERS)) {
    if (headers.has(name)) throw new S3Error("NotImplemented", { message: `${what} (${name}) is not implemented.` });
  }
}
