/**
 * Pure helpers every ObjectLayer implementation shares: HTTP conditional semantics as S3 applies
 * them (RFC 7232 order, with S3's rule that If-Match wins over If-Unmodified-Since) and range
 * resolution against a known size.
 */
import { ObjectError } from "./errors";
import type { ByteRange, Conditions, ObjectInfo, RangeSpec } from "./types";

function etagMatches(header: string, etag: string): boolean {
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, "").replace(/^"|"$/g, ""))
    .some((t) => t === "*" || t === etag);
}

/** HTTP dates have one-second resolution: compare whole seconds. */
function seconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/** Throws PreconditionFailed (412) or NotModified (304) as S3 does for GET/HEAD. */
export function checkConditions(info: ObjectInfo, c: Conditions | undefined): void {
  if (!c) return;
  const loc = { bucket: info.bucket, key: info.key };
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, info.etag)) throw new ObjectError({ kind: "PreconditionFailed", ...loc });
  } else if (c.ifUnmodifiedSince && seconds(info.modTime) > seconds(c.ifUnmodifiedSince)) {
    throw new ObjectError({ kind: "PreconditionFailed", ...loc });
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, info.etag)) throw new ObjectError({ kind: "NotModified", ...loc, etag: info.etag });
  } else if (c.ifModifiedSince && seconds(info.modTime) <= seconds(c.ifModifiedSince)) {
    throw new ObjectError({ kind: "NotModified", ...loc, etag: info.etag });
  }
}

/** Conditional write check (PutObject / CompleteMultipartUpload). `current` is null when absent. */
export function checkWriteConditions(
  loc: { bucket: string; key: string },
  current: ObjectInfo | null,
  c: { ifMatch?: string; ifNoneMatch?: string },
): void {
  if (c.ifNoneMatch !== undefined && current && !current.deleteMarker) {
    throw new ObjectError({ kind: "PreconditionFailed", ...loc });
  }
  if (c.ifMatch !== undefined) {
    if (!current || current.deleteMarker) throw new ObjectError({ kind: "ObjectNotFound", ...loc });
    if (!etagMatches(c.ifMatch, current.etag)) throw new ObjectError({ kind: "PreconditionFailed", ...loc });
  }
}

/** Resolves a Range against the object size; InvalidRange (416) when unsatisfiable. */
export function resolveRange(spec: RangeSpec | undefined, size: number): ByteRange | undefined {
  if (!spec) return undefined;
  if (spec.type === "suffix") {
    if (spec.length <= 0 || size === 0) throw new ObjectError({ kind: "InvalidRange", size });
    return { start: Math.max(0, size - spec.length), end: size - 1 };
  }
  if (spec.start >= size) throw new ObjectError({ kind: "InvalidRange", size });
  const end = spec.end === undefined ? size - 1 : Math.min(spec.end, size - 1);
  if (end < spec.start) throw new ObjectError({ kind: "InvalidRange", size });
  return { start: spec.start, end };
}
