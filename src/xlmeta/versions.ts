/**
 * Pure helpers over an XlMeta value with S3 version semantics. None mutates its input: each
 * returns a new value, so a caller can compare before/after or retry on quorum failure.
 */

import type { VersionMeta, XlMeta } from "./types";
import { inlineKey } from "./invariants";

export function emptyXlMeta(): XlMeta {
  return { versions: [], inline: new Map() };
}

/** The newest version (object or delete marker), or undefined when there is none. */
export function latestVersion(meta: XlMeta): VersionMeta | undefined {
  return meta.versions[0];
}

/** `versionId` null finds S3's null version. */
export function findVersion(meta: XlMeta, versionId: string | null): VersionMeta | undefined {
  return meta.versions.find((v) => v.versionId === versionId);
}

export function inlineDataOf(meta: XlMeta, versionId: string | null): Uint8Array | undefined {
  return meta.inline.get(inlineKey(versionId));
}

/**
 * Adds `version`, first dropping any version with the same id (for null: S3's rule that a new
 * null version replaces the old one, object or delete marker, wherever it sits). The new
 * version goes before every version with the same or older mod time, so among equal times the
 * last one added is the latest, as for two PUTs that land in the same nanosecond.
 */
export function addVersion(meta: XlMeta, version: VersionMeta, inlineData?: Uint8Array): XlMeta {
  if (inlineData !== undefined && !(version.type === "object" && version.inline)) {
    throw new RangeError("inline data given for a version that is not inline");
  }
  const { meta: rest } = removeVersion(meta, version.versionId);
  const versions = rest.versions.slice();
  const at = versions.findIndex((v) => v.modTime <= version.modTime);
  versions.splice(at === -1 ? versions.length : at, 0, version);
  const inline = rest.inline;
  if (inlineData !== undefined) inline.set(inlineKey(version.versionId), inlineData);
  return { versions, inline };
}

export interface Removal {
  meta: XlMeta;
  /** The removed version, or undefined when no version had that id. */
  removed: VersionMeta | undefined;
}

/** Removes a version and its inline data. */
export function removeVersion(meta: XlMeta, versionId: string | null): Removal {
  const index = meta.versions.findIndex((v) => v.versionId === versionId);
  const inline = new Map(meta.inline);
  inline.delete(inlineKey(versionId));
  if (index === -1) return { meta: { versions: meta.versions.slice(), inline }, removed: undefined };
  const versions = meta.versions.slice();
  const [removed] = versions.splice(index, 1);
  return { meta: { versions, inline }, removed };
}
