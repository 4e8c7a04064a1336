/** Conversions between xl.meta versions and the ObjectLayer's ObjectInfo/ObjectMetadata. */
import type { ObjectInfo, ObjectMetadata } from "../object/index";
import type { VersionMeta } from "../xlmeta/index";
import type { Loc } from "./set";

const USER_PREFIX = "x-amz-meta-";
/** System values (tags, retention, …) share the record under a prefix no header can produce. */
const SYSTEM_PREFIX = "cairn-sys:";

const STANDARD_FIELDS = {
  contentType: "content-type",
  contentEncoding: "content-encoding",
  contentDisposition: "content-disposition",
  contentLanguage: "content-language",
  cacheControl: "cache-control",
  expires: "expires",
} as const;

type StandardField = keyof typeof STANDARD_FIELDS;

export function metadataToRecord(m: ObjectMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, name] of Object.entries(STANDARD_FIELDS) as [StandardField, string][]) {
    const v = m[field];
    if (v !== undefined) out[name] = v;
  }
  for (const [k, v] of Object.entries(m.user)) out[USER_PREFIX + k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(m.system ?? {})) out[SYSTEM_PREFIX + k] = v;
  return out;
}

/** Built once: every listed key and every GET/HEAD converts a record. */
const FIELD_BY_NAME = new Map<string, StandardField>(
  (Object.entries(STANDARD_FIELDS) as [StandardField, string][]).map(([f, n]) => [n, f]),
);

export function recordToMetadata(rec: Record<string, string>): ObjectMetadata {
  const out: ObjectMetadata = { user: {} };
  let user: [string, string][] | undefined;
  let system: [string, string][] | undefined;
  for (const [k, v] of Object.entries(rec)) {
    const field = FIELD_BY_NAME.get(k);
    if (field) out[field] = v;
    else if (k.startsWith(USER_PREFIX)) (user ??= []).push([k.slice(USER_PREFIX.length), v]);
    else if (k.startsWith(SYSTEM_PREFIX)) (system ??= []).push([k.slice(SYSTEM_PREFIX.length), v]);
  }
  // Object.fromEntries defines own properties: a user key `__proto__` stays metadata (an
  // assignment would hit the prototype setter and drop it).
  if (user) out.user = Object.fromEntries(user);
  if (system) out.system = Object.fromEntries(system);
  return out;
}

/** Applies a system-metadata patch (null deletes an entry) to a version's record. */
export function patchSystem(rec: Record<string, string>, patch: Record<string, string | null>): Record<string, string> {
  const out = { ...rec };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[SYSTEM_PREFIX + k];
    else out[SYSTEM_PREFIX + k] = v;
  }
  return out;
}

export function nanosToDate(n: bigint): Date {
  return new Date(Number(n / 1_000_000n));
}

export function dateToNanos(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}

export function toObjectInfo(loc: Loc, v: VersionMeta, isLatest: boolean): ObjectInfo {
  if (v.type === "deleteMarker") {
    return {
      bucket: loc.bucket,
      key: loc.key,
      versionId: v.versionId,
      isLatest,
      deleteMarker: true,
      size: 0,
      etag: "",
      modTime: nanosToDate(v.modTime),
      metadata: { user: {} },
      storageClass: "STANDARD",
    };
  }
  const info: ObjectInfo = {
    bucket: loc.bucket,
    key: loc.key,
    versionId: v.versionId,
    isLatest,
    deleteMarker: false,
    size: v.size,
    etag: v.etag,
    modTime: nanosToDate(v.modTime),
    metadata: recordToMetadata(v.meta),
    storageClass: v.storageClass,
    parts: v.parts.map((p) => ({ partNumber: p.number, size: p.size, etag: p.etag, ...(p.checksums ? { checksums: p.checksums } : {}) })),
  };
  if (v.checksums) info.checksums = v.checksums;
  if (v.checksumType) info.checksumType = v.checksumType;
  return info;
}
