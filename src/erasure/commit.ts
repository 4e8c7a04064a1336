/**
 * The one way xl.meta changes: read-modify-write on every participating drive in parallel,
 * under the caller's write lock. Success needs write quorum; otherwise every drive that did
 * commit is put back (old xl.meta restored, new data dir removed) and the reduced error thrown.
 * Data dirs the change orphans (a replaced null version) are removed only after success.
 */
import type { CommitSource, Drive } from "../storage/index";
import { DriveError } from "../storage/index";
import { emptyXlMeta, encodeXlMeta, type XlMeta } from "../xlmeta/index";
import { decodeOrCorrupt, healable } from "./meta-read";
import { countOk, fanOut, reducedError, type DriveResult } from "./quorum";
import type { ErasureSet, Loc } from "./set";

export interface MetaUpdate {
  meta: XlMeta;
  /** Data dirs no longer referenced after this change. */
  drop: string[];
}

export interface CommitPlan {
  loc: Loc;
  /** New xl.meta for drive `pos` from its current one (empty when absent or corrupt). */
  update: (current: XlMeta, pos: number) => MetaUpdate;
  /** Staged data per drive position, or null for a metadata-only change. */
  source: (pos: number) => CommitSource | null;
  /** Drives taking part (e.g. those whose staging succeeded). */
  take: readonly boolean[];
  writeQuorum: number;
  /**
   * The key is likely new: a metadata-only drive first tries to create the xl.meta `update`
   * makes from an empty one, where none exists (Drive.createMeta), and reads only if one does.
   * Only for updates whose result on an absent key is the same as on an empty xl.meta.
   */
  tryCreate?: boolean;
}

interface Done {
  old: Uint8Array | null;
  drop: string[];
  source: CommitSource | null;
}

async function readRaw(d: Drive, loc: Loc): Promise<Uint8Array | null> {
  try {
    return await d.readMeta(loc.bucket, loc.key);
  } catch (e) {
    if (e instanceof DriveError && e.kind === "FileNotFound") return null;
    throw e;
  }
}

function currentOf(old: Uint8Array | null, endpoint: string): XlMeta {
  if (!old) return emptyXlMeta();
  try {
    return decodeOrCorrupt(old, endpoint);
  } catch {
    // A corrupt xl.meta loses its older versions here; heal restores them from the others.
    return emptyXlMeta();
  }
}

/** Drive.createMeta for a likely-new key; null when the drive needs the read-modify-write. */
async function createOne(d: Drive, pos: number, plan: CommitPlan): Promise<Done | null> {
  if (!plan.tryCreate || !d.createMeta || plan.source(pos) !== null) return null;
  const { meta, drop } = plan.update(emptyXlMeta(), pos);
  if (meta.versions.length === 0) return null;
  const created = await d.createMeta(plan.loc.bucket, plan.loc.key, encodeXlMeta(meta));
  return created ? { old: null, drop, source: null } : null;
}

async function commitOne(d: Drive, pos: number, plan: CommitPlan): Promise<Done> {
  const fresh = await createOne(d, pos, plan);
  if (fresh) return fresh;
  const old = await readRaw(d, plan.loc);
  const { meta, drop } = plan.update(currentOf(old, d.endpoint), pos);
  const source = plan.source(pos);
  if (meta.versions.length === 0) {
    if (old) await d.deleteObject(plan.loc.bucket, plan.loc.key);
  } else {
    await d.commit(plan.loc.bucket, plan.loc.key, encodeXlMeta(meta), source);
  }
  return { old, drop, source };
}

async function undo(d: Drive, loc: Loc, done: Done): Promise<void> {
  // Multipart parts were acknowledged to the client: they go back to the upload, not away.
  const restore = done.source?.files !== undefined;
  if (restore) await d.restoreStaged(loc.bucket, loc.key, done.source!);
  if (done.old) {
    await d.writeMeta(loc.bucket, loc.key, done.old);
    if (done.source && !restore) await d.deleteDataDir(loc.bucket, loc.key, done.source.dataDir);
  } else {
    await d.deleteObject(loc.bucket, loc.key);
  }
}

/** Commits on every participating drive; returns per-position success. */
export async function commitAll(set: ErasureSet, plan: CommitPlan): Promise<boolean[]> {
  const results: DriveResult<Done>[] = await fanOut(set.drives, async (d, pos) => {
    if (!plan.take[pos]) throw new DriveError("DriveOffline", d.endpoint, "not part of this write");
    return commitOne(d, pos, plan);
  });
  if (countOk(results) < plan.writeQuorum) {
    await Promise.all(
      results.map(async (r, pos) => {
        if (r.ok) await undo(set.drives[pos]!, plan.loc, r.value).catch(() => undefined);
      }),
    );
    throw reducedError(results, plan.writeQuorum, plan.loc, "write");
  }
  await Promise.all(
    results.map(async (r, pos) => {
      if (!r.ok) return;
      for (const dir of r.value.drop) {
        await set.drives[pos]!.deleteDataDir(plan.loc.bucket, plan.loc.key, dir).catch(() => undefined);
      }
    }),
  );
  const ok = results.map((r) => r.ok);
  if (results.some((r, pos) => plan.take[pos] && !r.ok && healable(r))) set.cfg.heal.enqueue(plan.loc.bucket, plan.loc.key);
  return ok;
}

/** Removes a staging directory on every drive, ignoring failures (start-up cleans the rest). */
export async function removeStaging(drives: readonly Drive[], path: string): Promise<void> {
  await Promise.all(drives.map((d) => d.deleteSys(path).catch(() => undefined)));
}
