/**
 * Rules that span versions, checked on both sides of the codec: the encoder refuses to write
 * a file the decoder would reject, and the decoder refuses a file whose versions would make
 * `latestVersion` or `findVersion` answer wrongly (unsorted, duplicated ids, orphan inline data).
 */

import type { ObjectVersionMeta, XlMeta } from "./types";

const INT64_LIMIT = 1n << 63n;

/** The inline map key of a version: S3's null version is stored under "null". */
export function inlineKey(versionId: string | null): string {
  return versionId ?? "null";
}

/** GET maps byte offsets onto parts: they must be in order and add up to the object size. */
function partsViolation(v: ObjectVersionMeta): string | null {
  let total = 0;
  let previous = 0;
  for (const part of v.parts) {
    if (part.number <= previous) return "part numbers are not strictly ascending";
    previous = part.number;
    total += part.size;
  }
  if (v.parts.length > 0 && total !== v.size) return "part sizes do not add up to the object size";
  return null;
}

/** Returns what is wrong with `meta`, or null when it obeys every rule. */
export function findViolation(meta: XlMeta): string | null {
  // Most files hold one version: no sets to build for them (a listing checks one per key).
  const seen = meta.versions.length > 1 ? new Set<string>() : null;
  const inlineVersions: string[] = [];
  let previous: bigint | null = null;
  for (const v of meta.versions) {
    if (v.versionId === "" || v.versionId === "null") return "version id must not be '' or 'null'";
    const key = inlineKey(v.versionId);
    if (seen?.has(key)) return `duplicate version id ${key}`;
    seen?.add(key);
    if (v.modTime < 0n || v.modTime >= INT64_LIMIT) return `modTime of ${key} out of range`;
    if (previous !== null && v.modTime > previous) return "versions are not newest first";
    previous = v.modTime;
    if (v.type !== "object") continue;
    const partsProblem = partsViolation(v);
    if (partsProblem !== null) return `${key}: ${partsProblem}`;
    if (v.inline) inlineVersions.push(key);
  }
  if (meta.inline.size === 0) return null;
  const inline = inlineVersions.length > 1 ? new Set(inlineVersions) : null;
  for (const key of meta.inline.keys()) {
    if (!(inline?.has(key) ?? inlineVersions[0] === key)) return `inline data for ${key}, which is not an inline version`;
  }
  return null;
}
