/** PutObject: stage the body on every drive, then commit a new version under the write lock. */
import { checkWriteConditions, ObjectError, type Body, type Checksums, type ObjectInfo, type PutObjectOptions } from "../object/index";
import { addVersion, findVersion, newVersionId, nowNanos, type ObjectVersionMeta, type XlMeta } from "../xlmeta/index";
import { ownTmp } from "../storage/index";
import { BITROT } from "./bitrot";
import { commitAll, removeStaging, type MetaUpdate } from "./commit";
import { stageBody, type Staged } from "./encode-stream";
import { dateToNanos, metadataToRecord, toObjectInfo } from "./info";
import { readMetas, resolveLatestOrNull } from "./meta-read";
import { BLOCK_SIZE, INLINE_LIMIT, type ErasurePlan, type ErasureSet, type Loc } from "./set";

export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

export function resolveChecksums(c: Checksums | (() => Checksums) | undefined): Checksums | undefined {
  const v = typeof c === "function" ? c() : c;
  return v && Object.keys(v).length > 0 ? v : undefined;
}

/** The version this PUT creates, as drive `pos` records it (its own shard index). */
export function versionForDrive(v: ObjectVersionMeta, pos: number): ObjectVersionMeta {
  return { ...v, erasure: { ...v.erasure, index: v.erasure.distribution[pos]! } };
}

/** Adds `v` to a drive's meta; a replaced version's data dir (null-version rule) is dropped. */
export function addForDrive(current: XlMeta, v: ObjectVersionMeta, inline?: Uint8Array): MetaUpdate {
  const replaced = findVersion(current, v.versionId);
  const drop = replaced?.type === "object" && replaced.dataDir && replaced.dataDir !== v.dataDir ? [replaced.dataDir] : [];
  return { meta: addVersion(current, v, inline), drop };
}

export async function currentInfo(set: ErasureSet, loc: Loc): Promise<ObjectInfo | null> {
  const r = resolveLatestOrNull(set, loc, await readMetas(set, loc));
  return r ? toObjectInfo(loc, r.version, true) : null;
}

interface NewVersion {
  plan: ErasurePlan;
  staged: Staged;
  dataDir: string | null;
  opts: PutObjectOptions;
}

function buildVersion(n: NewVersion): ObjectVersionMeta {
  const { plan, staged, opts } = n;
  const checksums = resolveChecksums(opts.checksums);
  const v: ObjectVersionMeta = {
    type: "object",
    versionId: opts.versioning === "enabled" ? newVersionId() : null,
    modTime: opts.modTime ? dateToNanos(opts.modTime) : nowNanos(),
    size: staged.size,
    etag: staged.md5Hex,
    storageClass: plan.storageClass,
    meta: metadataToRecord(opts.metadata),
    parts: [{ number: 1, size: staged.size, etag: staged.md5Hex }],
    erasure: {
      algorithm: plan.codec.algorithm,
      dataBlocks: plan.k,
      parityBlocks: plan.m,
      blockSize: BLOCK_SIZE,
      index: 1,
      distribution: plan.distribution,
      bitrot: BITROT,
    },
    dataDir: n.dataDir,
    inline: n.dataDir === null,
  };
  if (checksums) v.checksums = checksums;
  return v;
}

export async function putObject(set: ErasureSet, loc: Loc, body: Body, opts: PutObjectOptions): Promise<ObjectInfo> {
  if (opts.size > MAX_OBJECT_SIZE) throw new ObjectError({ kind: "EntityTooLarge", size: opts.size, max: MAX_OBJECT_SIZE });
  const conditional = opts.ifMatch !== undefined || opts.ifNoneMatch !== undefined;
  // Fail fast before reading a large body; the check is repeated under the lock at commit.
  if (conditional) checkWriteConditions(loc, await currentInfo(set, loc), opts);
  const plan = set.plan(loc.key, opts.storageClass);
  const dataDir = crypto.randomUUID();
  // Staged as <tmp>/<dataDir>/ itself, which the commit renames into place: a directory level
  // per drive fewer to create and remove than tmp/<uuid>/<dataDir>/ (each is metadata the
  // commit's syncs must write on this disk).
  const staging = ownTmp(); // this process's share of the drives' scratch area
  const stagingDir = `${staging}/${dataDir}`;
  let wroteFiles = true;
  try {
    const staged = await stageBody(
      body,
      {
        drives: set.drives,
        codec: plan.codec,
        distribution: plan.distribution,
        writeQuorum: plan.writeQuorum,
        blockSize: BLOCK_SIZE,
        inlineLimit: INLINE_LIMIT,
        path: `${stagingDir}/part.1`,
        loc,
        pool: set.cfg.pool,
      },
      { size: opts.size, maxSize: MAX_OBJECT_SIZE, ...(opts.expectedMd5 ? { expectedMd5: opts.expectedMd5 } : {}) },
    );
    const inline = staged.inline;
    wroteFiles = inline === null;
    const version = buildVersion({ plan, staged, dataDir: inline ? null : dataDir, opts });
    return await set.cfg.locks.withWrite(set.lockName(loc), async () => {
      if (conditional) checkWriteConditions(loc, await currentInfo(set, loc), opts);
      await commitAll(set, {
        loc,
        take: staged.alive,
        writeQuorum: plan.writeQuorum,
        // A PUT's version added to an absent xl.meta is the same as to an empty one.
        tryCreate: true,
        source: () => (inline ? null : { staging, dataDir }),
        update: (cur, pos) => {
          const frame = inline ? inline[plan.distribution[pos]! - 1] : undefined;
          // An empty object has no shards at all: nothing inline, nothing on disk.
          return addForDrive(cur, versionForDrive(version, pos), staged.size === 0 ? undefined : frame);
        },
      });
      return toObjectInfo(loc, version, true);
    });
  } finally {
    // Committed drives already moved their staging away; this clears the others (or a failure).
    if (wroteFiles) await removeStaging(set.drives, stagingDir);
  }
}
