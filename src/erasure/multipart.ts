/**
 * Multipart uploads. Parts are erasure-coded exactly like objects into the upload's data dir;
 * completion commits that data dir into the object with only the chosen parts (no byte copy).
 * ETag = md5(concatenated binary part MD5s) + "-N", as S3 computes it.
 */
import {
  checkWriteConditions,
  ObjectError,
  type Body,
  type CompleteMultipartOptions,
  type CompletePart,
  type ListPartsOptions,
  type ListPartsResult,
  type NewMultipartOptions,
  type ObjectInfo,
  type PartInfo,
  type PutPartOptions,
} from "../object/index";
import { newVersionId, nowNanos, type ObjectVersionMeta } from "../xlmeta/index";
import { BITROT } from "./bitrot";
import { commitAll, removeStaging } from "./commit";
import { stageBody } from "./encode-stream";
import { metadataToRecord, recordToMetadata, toObjectInfo } from "./info";
import {
  listPartNumbers,
  readPart,
  readUpload,
  toJson,
  uploadDir,
  type PartRecord,
  type UploadRecord,
} from "./multipart-store";
import { addForDrive, currentInfo, resolveChecksums, versionForDrive } from "./object-put";
import { fanOut, quorumError } from "./quorum";
import { BLOCK_SIZE, type ErasureSet, type Loc } from "./set";
import { writeQuorum } from "./storage-class";

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PART_NUMBER = 10000;

export async function newMultipartUpload(set: ErasureSet, loc: Loc, opts: NewMultipartOptions): Promise<string> {
  const plan = set.plan(loc.key, opts.storageClass);
  const uploadId = Bun.randomUUIDv7();
  const rec: UploadRecord = {
    bucket: loc.bucket,
    key: loc.key,
    uploadId,
    initiated: Date.now(),
    meta: metadataToRecord(opts.metadata),
    storageClass: plan.storageClass,
    k: plan.k,
    m: plan.m,
    algorithm: plan.codec.algorithm,
    distribution: plan.distribution,
    dataDir: crypto.randomUUID(),
    ...(opts.checksumAlgorithm ? { checksumAlgorithm: opts.checksumAlgorithm } : {}),
    ...(opts.checksumType ? { checksumType: opts.checksumType } : {}),
  };
  const rs = await fanOut(set.drives, (d) => d.writeSysFile(`${uploadDir(loc, uploadId)}/upload.json`, toJson(rec)));
  const ok = rs.filter((r) => r.ok).length;
  if (ok < plan.writeQuorum) {
    await removeStaging(set.drives, uploadDir(loc, uploadId));
    throw quorumError("write", loc, ok, plan.writeQuorum);
  }
  return uploadId;
}

function uploadLock(uploadId: string): string {
  return `\0upload/${uploadId}`;
}

export async function putObjectPart(
  set: ErasureSet,
  target: Loc & { uploadId: string; partNumber: number },
  body: Body,
  opts: PutPartOptions,
): Promise<PartInfo> {
  const { uploadId, partNumber } = target;
  const loc = { bucket: target.bucket, key: target.key };
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new ObjectError({ kind: "InvalidArgument", message: `part number must be 1..${MAX_PART_NUMBER}` });
  }
  if (opts.size > MAX_PART_SIZE) throw new ObjectError({ kind: "EntityTooLarge", size: opts.size, max: MAX_PART_SIZE });
  const locks = set.cfg.locks;
  return locks.withRead(uploadLock(uploadId), () =>
    locks.withWrite(`${uploadLock(uploadId)}/${partNumber}`, async () => {
      const up = await readUpload(set, loc, uploadId);
      const dir = uploadDir(loc, uploadId);
      const wq = writeQuorum(up.k, up.m);
      // Forget the old part first: until the new one is complete, the part is simply absent.
      await fanOut(set.drives, (d) => d.deleteSys(`${dir}/part.${partNumber}.json`));
      const staged = await stageBody(
        body,
        {
          drives: set.drives,
          codec: set.codecFor({ dataBlocks: up.k, parityBlocks: up.m, algorithm: up.algorithm }),
          distribution: up.distribution,
          writeQuorum: wq,
          blockSize: BLOCK_SIZE,
          inlineLimit: -1,
          path: `${dir}/${up.dataDir}/part.${partNumber}`,
          loc,
          pool: set.cfg.pool,
        },
        { size: opts.size, maxSize: MAX_PART_SIZE, ...(opts.expectedMd5 ? { expectedMd5: opts.expectedMd5 } : {}) },
      );
      const checksums = resolveChecksums(opts.checksums);
      const rec: PartRecord = { number: partNumber, size: staged.size, etag: staged.md5Hex, modTime: Date.now(), ...(checksums ? { checksums } : {}) };
      const rs = await fanOut(set.drives, async (d, i) => {
        if (!staged.alive[i]) throw new Error("shard not written");
        await d.writeSysFile(`${dir}/part.${partNumber}.json`, toJson(rec));
      });
      const ok = rs.filter((r) => r.ok).length;
      if (ok < wq) throw quorumError("write", loc, ok, wq);
      return { partNumber, etag: rec.etag, size: rec.size, modTime: new Date(rec.modTime), ...(checksums ? { checksums } : {}) };
    }),
  );
}

export async function listObjectParts(
  set: ErasureSet,
  loc: Loc & { uploadId: string },
  opts: ListPartsOptions = {},
): Promise<ListPartsResult> {
  const up = await readUpload(set, loc, loc.uploadId);
  const dir = uploadDir(loc, loc.uploadId);
  const max = opts.maxParts ?? 1000;
  const marker = opts.partNumberMarker ?? 0;
  const parts: PartInfo[] = [];
  let truncated = false;
  for (const n of await listPartNumbers(set, dir)) {
    if (n <= marker) continue;
    const p = await readPart(set, dir, n, up.k);
    if (!p) continue;
    if (parts.length >= max) {
      truncated = true;
      break;
    }
    const { number, size, etag, modTime, checksums } = p.part;
    parts.push({ partNumber: number, size, etag, modTime: new Date(modTime), ...(checksums ? { checksums } : {}) });
  }
  const out: ListPartsResult = {
    parts,
    isTruncated: truncated,
    nextPartNumberMarker: parts.length ? parts[parts.length - 1]!.partNumber : 0,
    metadata: recordToMetadata(up.meta),
    storageClass: up.storageClass,
  };
  if (up.checksumAlgorithm) out.checksumAlgorithm = up.checksumAlgorithm as NonNullable<ListPartsResult["checksumAlgorithm"]>;
  if (up.checksumType) out.checksumType = up.checksumType;
  return out;
}

function unquote(etag: string): string {
  return etag.trim().replace(/^"|"$/g, "");
}

/** Checks the client's part list against the stored parts; returns them with their holders. */
async function chooseParts(set: ErasureSet, up: UploadRecord, dir: string, parts: CompletePart[]) {
  if (parts.length === 0) throw new ObjectError({ kind: "InvalidArgument", message: "at least one part is required" });
  const chosen: { part: PartRecord; holders: boolean[] }[] = [];
  let prev = 0;
  for (const cp of parts) {
    if (cp.partNumber <= prev) throw new ObjectError({ kind: "InvalidPartOrder", partNumber: cp.partNumber });
    prev = cp.partNumber;
    const p = await readPart(set, dir, cp.partNumber, up.k);
    if (!p) throw new ObjectError({ kind: "InvalidPart", partNumber: cp.partNumber, reason: "no such part" });
    if (unquote(cp.etag) !== p.part.etag) {
      throw new ObjectError({ kind: "InvalidPart", partNumber: cp.partNumber, reason: "ETag does not match" });
    }
    chosen.push(p);
  }
  chosen.forEach((c, i) => {
    if (i < chosen.length - 1 && c.part.size < MIN_PART_SIZE) {
      throw new ObjectError({ kind: "EntityTooSmall", partNumber: c.part.number, size: c.part.size });
    }
  });
  return chosen;
}

function multipartEtag(parts: PartRecord[]): string {
  const h = new Bun.CryptoHasher("md5");
  for (const p of parts) h.update(Buffer.from(p.etag, "hex"));
  return `${h.digest("hex")}-${parts.length}`;
}

function completedVersion(up: UploadRecord, parts: PartRecord[], opts: CompleteMultipartOptions): ObjectVersionMeta {
  return {
    type: "object",
    versionId: opts.versioning === "enabled" ? newVersionId() : null,
    modTime: nowNanos(),
    size: parts.reduce((n, p) => n + p.size, 0),
    etag: multipartEtag(parts),
    storageClass: up.storageClass,
    meta: up.meta,
    parts: parts.map((p) => ({ number: p.number, size: p.size, etag: p.etag, ...(p.checksums ? { checksums: p.checksums } : {}) })),
    erasure: {
      algorithm: up.algorithm,
      dataBlocks: up.k,
      parityBlocks: up.m,
      blockSize: BLOCK_SIZE,
      index: 1,
      distribution: up.distribution,
      bitrot: BITROT,
    },
    dataDir: up.dataDir,
    inline: false,
    ...(up.checksumType ? { checksumType: up.checksumType } : {}),
  };
}

export async function completeMultipartUpload(
  set: ErasureSet,
  loc: Loc & { uploadId: string },
  parts: CompletePart[],
  opts: CompleteMultipartOptions,
): Promise<ObjectInfo> {
  const obj = { bucket: loc.bucket, key: loc.key };
  const locks = set.cfg.locks;
  return locks.withWrite(uploadLock(loc.uploadId), async () => {
    const up = await readUpload(set, obj, loc.uploadId);
    const dir = uploadDir(obj, loc.uploadId);
    const chosen = await chooseParts(set, up, dir, parts);
    const take = set.drives.map((_, i) => chosen.every((c) => c.holders[i]));
    const version = completedVersion(up, chosen.map((c) => c.part), opts);
    const files = chosen.map((c) => `part.${c.part.number}`);
    return locks.withWrite(set.lockName(obj), async () => {
      checkWriteConditions(obj, await currentInfo(set, obj), opts);
      await commitAll(set, {
        loc: obj,
        take,
        writeQuorum: writeQuorum(up.k, up.m),
        source: () => ({ staging: dir, dataDir: up.dataDir, files }),
        update: (cur, pos) => addForDrive(cur, versionForDrive(version, pos)),
      });
      // Drives that could not take part still hold the upload directory.
      await removeStaging(set.drives, dir);
      return toObjectInfo(obj, version, true);
    });
  });
}

export async function abortMultipartUpload(set: ErasureSet, loc: Loc & { uploadId: string }): Promise<void> {
  const obj = { bucket: loc.bucket, key: loc.key };
  await set.cfg.locks.withWrite(uploadLock(loc.uploadId), async () => {
    const up = await readUpload(set, obj, loc.uploadId);
    const rs = await fanOut(set.drives, (d) => d.deleteSys(uploadDir(obj, loc.uploadId)));
    const ok = rs.filter((r) => r.ok).length;
    const wq = writeQuorum(up.k, up.m);
    if (ok < wq) throw quorumError("write", obj, ok, wq);
  });
}
