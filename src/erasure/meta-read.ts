/**
 * Reading xl.meta from every drive of a set and agreeing on one version by quorum. A drive
 * whose xl.meta is missing, undecodable or stale simply does not count towards the winner; the
 * caller schedules a heal when any drive disagrees.
 */
import { ObjectError } from "../object/index";
import { DriveError } from "../storage/index";
import { decodeXlMeta, findVersion, type ObjectVersionMeta, type VersionMeta, type XlMeta } from "../xlmeta/index";
import { metaFileId } from "./meta-cache";
import { absentError, fanOut, type DriveResult } from "./quorum";
import type { ErasureSet, Loc } from "./set";

export type MetaResults = DriveResult<XlMeta>[];

/** Decodes one drive's xl.meta; an undecodable file is that drive's FileCorrupt, not a crash. */
export function decodeOrCorrupt(bytes: Uint8Array, endpoint: string): XlMeta {
  try {
    return decodeXlMeta(bytes);
  } catch (e) {
    throw new DriveError("FileCorrupt", endpoint, "xl.meta does not decode", { cause: e });
  }
}

export function readMetas(set: ErasureSet, loc: Loc): Promise<MetaResults> {
  return fanOut(set.drives, async (d) => decodeOrCorrupt(await d.readMeta(loc.bucket, loc.key), d.endpoint));
}

/**
 * readMetas for read-only paths (GET, HEAD), through the meta cache: files every online drive
 * returned within its freshness window are not read again, and unchanged files are not decoded
 * again. The results are shared with other requests and frozen: never modify them.
 */
export async function readMetasShared(set: ErasureSet, loc: Loc): Promise<MetaResults> {
  const cache = set.cfg.metaCache;
  const ids = set.drives.map((d) => metaFileId(d.endpoint, loc.bucket, loc.key));
  // An offline drive's file is not fresh, whatever it was: that drive is to be read (and fail).
  if (set.drives.every((d) => d.isOnline())) {
    const recent = cache.recent(ids);
    if (recent) return recent.map((value) => ({ ok: true, value }));
  }
  return fanOut(set.drives, async (d, i) => {
    const id = ids[i]!;
    const ticket = cache.startRead(id);
    const bytes = await d.readMeta(loc.bucket, loc.key);
    return cache.decode(id, bytes, (b) => decodeOrCorrupt(b, d.endpoint), ticket);
  });
}

/** A drive that answered but lacks or garbles the data (an offline drive cannot be healed now). */
export function healable(r: DriveResult<unknown>): boolean {
  if (r.ok) return true;
  const k = r.error.kind;
  return k === "FileNotFound" || k === "FileCorrupt" || k === "VolumeNotFound";
}

/** Identity of a version across drives: equal signatures mean the same committed version. */
export function versionSignature(v: VersionMeta): string {
  if (v.type === "deleteMarker") return `dm|${v.versionId}|${v.modTime}`;
  return `obj|${v.versionId}|${v.modTime}|${v.dataDir}|${v.etag}|${v.size}`;
}

/** versionSignature(a) === versionSignature(b), without building either (listings compare m + 1 drives per key). */
export function sameVersion(a: VersionMeta, b: VersionMeta): boolean {
  if (a.type !== b.type || a.modTime !== b.modTime || (a.versionId ?? "null") !== (b.versionId ?? "null")) return false;
  if (a.type === "deleteMarker") return true;
  const o = b as ObjectVersionMeta;
  return a.dataDir === o.dataDir && a.etag === o.etag && a.size === o.size;
}

export interface Resolved {
  version: VersionMeta;
  /** A full xl.meta from a drive that agrees (for version lists and isLatest). */
  ref: XlMeta;
  /** Per drive position: does this drive hold the agreed version? */
  agree: boolean[];
  metas: MetaResults;
  /** Some drive is missing, corrupt or stale for this version. */
  needsHeal: boolean;
}

/** `versionId` undefined: the latest version; null: S3's null version. */
export type VersionSelector = string | null | undefined;

function pick(meta: XlMeta, sel: VersionSelector): VersionMeta | undefined {
  return sel === undefined ? meta.versions[0] : findVersion(meta, sel);
}

export function readQuorumOf(set: ErasureSet, v: VersionMeta): number {
  return v.type === "object" ? v.erasure.dataBlocks : set.defaultReadQuorum;
}

interface Group {
  version: VersionMeta;
  positions: number[];
}

function groupBySignature(metas: MetaResults, sel: VersionSelector): Map<string, Group> {
  const groups = new Map<string, Group>();
  metas.forEach((r, i) => {
    if (!r.ok) return;
    const v = pick(r.value, sel);
    if (!v) return;
    const sig = versionSignature(v);
    const g = groups.get(sig);
    if (g) g.positions.push(i);
    else groups.set(sig, { version: v, positions: [i] });
  });
  return groups;
}

function bestGroup(groups: Map<string, Group>): Group | undefined {
  let best: Group | undefined;
  for (const g of groups.values()) {
    if (
      !best ||
      g.positions.length > best.positions.length ||
      (g.positions.length === best.positions.length && g.version.modTime > best.version.modTime)
    ) {
      best = g;
    }
  }
  return best;
}

function notFound(loc: Loc, sel: VersionSelector): ObjectError {
  if (sel === undefined) return new ObjectError({ kind: "ObjectNotFound", ...loc });
  return new ObjectError({ kind: "VersionNotFound", ...loc, versionId: sel ?? "null" });
}

/** Agrees on one version or throws ObjectNotFound / VersionNotFound / BucketNotFound / quorum. */
export function resolveVersion(set: ErasureSet, loc: Loc, metas: MetaResults, sel: VersionSelector): Resolved {
  const best = bestGroup(groupBySignature(metas, sel));
  if (best && best.positions.length >= readQuorumOf(set, best.version)) {
    const agree = metas.map((_, i) => best.positions.includes(i));
    const refPos = best.positions[0]!;
    const ref = (metas[refPos] as { ok: true; value: XlMeta }).value;
    return { version: best.version, ref, agree, metas, needsHeal: metas.some((r, i) => !agree[i] && healable(r)) };
  }
  throw absentError(metas, {
    lacks: (m) => !pick(m, sel),
    loc,
    need: set.defaultReadQuorum,
    notFound: () => notFound(loc, sel),
    best: best ? { have: best.positions.length, need: readQuorumOf(set, best.version) } : null,
  });
}

/** The latest agreed version, or null when the key does not exist (quorum errors still throw). */
export function resolveLatestOrNull(set: ErasureSet, loc: Loc, metas: MetaResults): Resolved | null {
  try {
    return resolveVersion(set, loc, metas, undefined);
  } catch (e) {
    if (e instanceof ObjectError && e.kind === "ObjectNotFound") return null;
    throw e;
  }
}
