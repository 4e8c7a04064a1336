/**
 * Deletes and in-place metadata changes, with S3 versioning semantics:
 * - no versionId: "enabled" adds a delete marker with a new id; "suspended" adds a null delete
 *   marker (replacing the null version and its data); "unversioned" removes the null version.
 * - a versionId removes exactly that version (and its data dir). Deleting a version that does
 *   not exist succeeds, as S3's DeleteObject does.
 */
import { ObjectError, type DeleteObjectOptions, type DeleteObjectResult, type ObjectInfo } from "../object/index";
import {
  addVersion,
  findVersion,
  inlineDataOf,
  newVersionId,
  nowNanos,
  removeVersion,
  type DeleteMarkerMeta,
  type VersionMeta,
  type XlMeta,
} from "../xlmeta/index";
import { commitAll, type MetaUpdate } from "./commit";
import { canDelete, lockStateFromMeta } from "../bucket/index";
import { patchSystem, recordToMetadata, toObjectInfo } from "./info";
import { readMetas, resolveVersion } from "./meta-read";
import { selector } from "./object-get";
import { addForDrive } from "./object-put";
import type { ErasureSet, Loc } from "./set";

function dropOf(v: VersionMeta | undefined): string[] {
  return v?.type === "object" && v.dataDir ? [v.dataDir] : [];
}

function removeFrom(cur: XlMeta, id: string | null): MetaUpdate & { removed: VersionMeta | undefined } {
  const { meta, removed } = removeVersion(cur, id);
  return { meta, removed, drop: dropOf(removed) };
}

function addMarker(cur: XlMeta, marker: DeleteMarkerMeta): MetaUpdate {
  const replaced = findVersion(cur, marker.versionId);
  return { meta: addVersion(cur, marker), drop: dropOf(replaced) };
}

/**
 * Object lock (WORM): a version under legal hold or unexpired retention is never removed. The
 * check runs here, under the key's write lock, so no retention or legal-hold change (also taken
 * under that lock) can slip in between the check and the removal, and every deleter (S3,
 * lifecycle, admin) gets it. Removing a version that does not exist stays a success.
 */
async function assertDeletable(set: ErasureSet, loc: Loc, sel: string | null, bypassGovernance: boolean): Promise<void> {
  let version: VersionMeta;
  try {
    version = resolveVersion(set, loc, await readMetas(set, loc), sel).version;
  } catch (e) {
    if (e instanceof ObjectError && (e.kind === "VersionNotFound" || e.kind === "ObjectNotFound")) return;
    throw e;
  }
  if (version.type !== "object") return;
  const state = lockStateFromMeta(recordToMetadata(version.meta).system);
  if (!state.legalHold && state.retention === undefined) return;
  if (!canDelete(state, { bypassGovernance, now: new Date() }).ok) throw new ObjectError({ kind: "ObjectLocked", ...loc, versionId: sel });
}

async function deleteVersion(set: ErasureSet, loc: Loc, versionId: string, bypassGovernance: boolean): Promise<DeleteObjectResult> {
  const sel = selector(versionId) ?? null;
  await assertDeletable(set, loc, sel, bypassGovernance);
  let removed: VersionMeta | undefined;
  await commitAll(set, {
    loc,
    take: set.drives.map(() => true),
    writeQuorum: set.defaultWriteQuorum,
    source: () => null,
    update: (cur) => {
      const r = removeFrom(cur, sel);
      removed ??= r.removed;
      return r;
    },
  });
  return { versionId: sel, deleteMarker: removed?.type === "deleteMarker" };
}

export async function deleteObject(set: ErasureSet, loc: Loc, opts: DeleteObjectOptions): Promise<DeleteObjectResult> {
  return set.cfg.locks.withWrite(set.lockName(loc), async () => {
    if (opts.versionId !== undefined) return deleteVersion(set, loc, opts.versionId, opts.bypassGovernance === true);
    if (opts.versioning === "unversioned") {
      await commitAll(set, {
        loc,
        take: set.drives.map(() => true),
        writeQuorum: set.defaultWriteQuorum,
        source: () => null,
        update: (cur) => removeFrom(cur, null),
      });
      return { versionId: null, deleteMarker: false };
    }
    const marker: DeleteMarkerMeta = {
      type: "deleteMarker",
      versionId: opts.versioning === "enabled" ? newVersionId() : null,
      modTime: nowNanos(),
    };
    await commitAll(set, {
      loc,
      take: set.drives.map(() => true),
      writeQuorum: set.defaultWriteQuorum,
      source: () => null,
      update: (cur) => addMarker(cur, marker),
    });
    return { versionId: marker.versionId, deleteMarker: true };
  });
}

/** Rewrites one version's metadata record on every drive that has it (tags, retention, …). */
export async function updateVersionMeta(
  set: ErasureSet,
  loc: Loc,
  versionId: string | undefined,
  change: (meta: Record<string, string>) => Record<string, string>,
): Promise<ObjectInfo> {
  return set.cfg.locks.withWrite(set.lockName(loc), async () => {
    const r = resolveVersion(set, loc, await readMetas(set, loc), selector(versionId));
    const target = r.version;
    if (target.type === "deleteMarker") {
      throw new ObjectError({ kind: "MethodNotAllowed", ...loc, reason: "the version is a delete marker", deleteMarker: true, versionId: target.versionId });
    }
    const updated = { ...target, meta: change(target.meta) };
    await commitAll(set, {
      loc,
      take: r.agree,
      writeQuorum: set.defaultWriteQuorum,
      source: () => null,
      update: (cur) => {
        const own = findVersion(cur, target.versionId);
        if (own?.type !== "object") return { meta: cur, drop: [] };
        const inline = own.inline ? inlineDataOf(cur, own.versionId) : undefined;
        return addForDrive(cur, { ...own, meta: change(own.meta) }, inline);
      },
    });
    return toObjectInfo(loc, updated, r.ref.versions[0] === target);
  });
}

export function updateObjectMetadata(
  set: ErasureSet,
  loc: Loc,
  patch: Record<string, string | null>,
  versionId: string | undefined,
): Promise<ObjectInfo> {
  return updateVersionMeta(set, loc, versionId, (m) => patchSystem(m, patch));
}
