/**
 * ErasureLayer: the ObjectLayer over sets of drives. It validates names, checks the bucket,
 * picks the set of a key and delegates to the per-concern modules; bucket-wide operations
 * (buckets, listing, healing) span every set.
 */
import { validateObjectKey } from "../lib/index";
import {
  ObjectError,
  type Body,
  type BucketInfo,
  type CompleteMultipartOptions,
  type CompletePart,
  type CopyObjectOptions,
  type DeleteBucketOptions,
  type DeleteObjectOptions,
  type DeleteObjectResult,
  type DeleteObjectsItem,
  type DeleteObjectsResult,
  type GetObjectOptions,
  type GetObjectResult,
  type HealOptions,
  type HealResult,
  type LayerStats,
  type ListObjectsOptions,
  type ListObjectsResult,
  type ListPartsOptions,
  type ListPartsResult,
  type ListUploadsOptions,
  type ListUploadsResult,
  type ListVersionsOptions,
  type ListVersionsResult,
  type NewMultipartOptions,
  type ObjectInfo,
  type ObjectLayer,
  type PartInfo,
  type PutObjectOptions,
  type PutPartOptions,
  type StatObjectOptions,
  type StorageInfo,
  type UpdateMetadataOptions,
} from "../object/index";
import * as buckets from "./buckets";
import { copyObject } from "./copy";
import { eventCounts } from "./events";
import { healAll, healBucket, healObject } from "./heal-bucket";
import type { HealQueue } from "./heal-queue";
import { listObjects, listObjectVersions } from "./listing";
import type { Generations } from "./generations";
import { ListingResults } from "./listing-cache";
import { readMetas } from "./meta-read";
import * as mp from "./multipart";
import { listMultipartUploads } from "./multipart-list";
import { getObject, statObject } from "./object-get";
import { putObject } from "./object-put";
import { setIndexFor } from "./placement";
import type { CodecCache, ErasureSet, Loc } from "./set";
import { deleteObject, updateObjectMetadata } from "./versions";
import { agreedMeta } from "./listing";

/**
 * Runs `op` with a generation bumped before and after it: a read that overlapped the change
 * saw a generation that has since moved, so what it cached is never taken as current.
 */
async function bumpedAround<T>(bump: () => void, op: () => Promise<T>): Promise<T> {
  bump();
  try {
    return await op();
  } finally {
    bump();
  }
}

export class ErasureLayer implements ObjectLayer {
  /**
   * Buckets known to exist (object calls skip the per-drive stat) and bucket config blobs
   * (versioning is read on every PUT), each kept with the bucket's generation when it was read:
   * makeBucket, deleteBucket and config writes in any process sharing the generations bump it.
   */
  private readonly knownBuckets = new Map<string, number>();
  private readonly bucketConfigs = new Map<string, { value: Uint8Array | null; gen: number }>();
  private readonly bucketSlots = new Map<string, number>();
  /** Listing pages kept for their continuations; every write path below bumps its bucket. */
  readonly listings: ListingResults;

  constructor(
    readonly deploymentId: string,
    readonly sets: ErasureSet[],
    private readonly services: { codecs: CodecCache; heal: HealQueue; gens: Generations; closing?: () => void },
  ) {
    this.listings = new ListingResults(undefined, undefined, services.gens);
  }

  setFor(key: string): ErasureSet {
    return this.sets[setIndexFor(key, this.deploymentId, this.sets.length)]!;
  }

  /** Resolves when background heals queued so far are done (tests, shutdown). */
  healIdle(): Promise<void> {
    return this.services.heal.idle();
  }

  /** Runs `op`, a change to what listings of `bucket` show, with the listing cache bumped around it. */
  private changing<T>(bucket: string, op: () => Promise<T>): Promise<T> {
    return bumpedAround(() => this.listings.bump(bucket), op);
  }

  private async object(bucket: string, key: string): Promise<{ set: ErasureSet; loc: Loc }> {
    const problem = validateObjectKey(key);
    if (problem === "KeyTooLong") throw new ObjectError({ kind: "KeyTooLong", bucket, key });
    if (problem !== null) throw new ObjectError({ kind: "InvalidObjectName", bucket, key, reason: problem });
    await this.requireBucket(bucket);
    return { set: this.setFor(key), loc: { bucket, key } };
  }

  private async requireBucket(bucket: string): Promise<void> {
    const gen = this.bucketGen(bucket);
    if (this.knownBuckets.get(bucket) === gen) return;
    await buckets.getBucketInfo(this.sets, bucket);
    this.knownBuckets.set(bucket, gen);
  }

  private bucketGen(bucket: string): number {
    return this.services.gens.count(this.bucketSlot(bucket));
  }

  /** The generation slot of a bucket's existence and config; remembered, as every request asks. */
  private bucketSlot(bucket: string): number {
    let slot = this.bucketSlots.get(bucket);
    if (slot === undefined) {
      if (this.bucketSlots.size >= 4096) this.bucketSlots.clear();
      this.bucketSlots.set(bucket, (slot = this.services.gens.slotOf(`\0bucket-meta\0${bucket}`)));
    }
    return slot;
  }

  /** Runs `op`, a change to whether `bucket` exists or to its config, with its generation bumped around it. */
  private redefining<T>(bucket: string, op: () => Promise<T>): Promise<T> {
    const slot = this.bucketSlot(bucket);
    return bumpedAround(() => this.services.gens.bump(slot), op);
  }

  // ---- buckets ----
  async makeBucket(bucket: string): Promise<void> {
    await this.redefining(bucket, () => this.changing(bucket, () => buckets.makeBucket(this.sets, bucket)));
  }
  getBucketInfo(bucket: string): Promise<BucketInfo> {
    return buckets.getBucketInfo(this.sets, bucket);
  }
  listBuckets(): Promise<BucketInfo[]> {
    return buckets.listBuckets(this.sets);
  }
  async deleteBucket(bucket: string, opts: DeleteBucketOptions = {}): Promise<void> {
    await buckets.getBucketInfo(this.sets, bucket);
    if (!opts.force) {
      const v = await listObjectVersions(this.sets, bucket, { maxKeys: 1 });
      if (v.versions.length > 0) throw new ObjectError({ kind: "BucketNotEmpty", bucket });
    }
    for (const k of this.bucketConfigs.keys()) if (k.startsWith(`${bucket}\0`)) this.bucketConfigs.delete(k);
    // Open uploads of the bucket would otherwise linger in the system area forever.
    const open = await listMultipartUploads(this.sets, bucket, { maxUploads: Number.MAX_SAFE_INTEGER });
    for (const u of open.uploads) await this.abortUpload(bucket, u.key, u.uploadId).catch(() => undefined);
    await this.redefining(bucket, () => this.changing(bucket, () => buckets.removeBucket(this.sets, bucket)));
  }
  async getBucketConfig(bucket: string, name: string): Promise<Uint8Array | null> {
    await this.requireBucket(bucket);
    const cacheKey = `${bucket}\0${name}`;
    const gen = this.bucketGen(bucket);
    const hit = this.bucketConfigs.get(cacheKey);
    if (hit?.gen === gen) return hit.value;
    // Kept with the generation from before the read: a write that overlapped it moved that on.
    const value = await buckets.getBucketConfig(this.sets, bucket, name);
    this.bucketConfigs.set(cacheKey, { value, gen });
    return value;
  }
  async setBucketConfig(bucket: string, name: string, data: Uint8Array | null): Promise<void> {
    await this.requireBucket(bucket);
    await this.redefining(bucket, () => buckets.setBucketConfig(this.sets, bucket, name, data));
  }

  // ---- objects ----
  async putObject(bucket: string, key: string, body: Body, opts: PutObjectOptions): Promise<ObjectInfo> {
    const { set, loc } = await this.object(bucket, key).catch(async (e) => {
      await body.cancel().catch(() => undefined);
      throw e;
    });
    return this.changing(bucket, () => putObject(set, loc, body, opts));
  }
  async getObject(bucket: string, key: string, opts?: GetObjectOptions): Promise<GetObjectResult> {
    const { set, loc } = await this.object(bucket, key);
    return getObject(set, loc, opts);
  }
  async statObject(bucket: string, key: string, opts?: StatObjectOptions): Promise<ObjectInfo> {
    const { set, loc } = await this.object(bucket, key);
    return statObject(set, loc, opts);
  }
  async copyObject(src: Loc, dst: Loc, opts: CopyObjectOptions): Promise<ObjectInfo> {
    await this.object(src.bucket, src.key);
    const d = await this.object(dst.bucket, dst.key);
    return this.changing(dst.bucket, () => copyObject(this, { src, dst, dstSet: d.set }, opts));
  }
  async deleteObject(bucket: string, key: string, opts: DeleteObjectOptions): Promise<DeleteObjectResult> {
    const { set, loc } = await this.object(bucket, key);
    return this.changing(bucket, () => deleteObject(set, loc, opts));
  }
  async deleteObjects(
    bucket: string,
    items: DeleteObjectsItem[],
    opts: Omit<DeleteObjectOptions, "versionId">,
  ): Promise<DeleteObjectsResult[]> {
    await this.requireBucket(bucket);
    const out: DeleteObjectsResult[] = [];
    for (const item of items) {
      try {
        const r = await this.deleteObject(bucket, item.key, { ...opts, ...(item.versionId ? { versionId: item.versionId } : {}) });
        out.push({ ok: true, key: item.key, ...r, ...(item.versionId ? { requestedVersionId: item.versionId } : {}) });
      } catch (e) {
        if (!(e instanceof ObjectError)) throw e;
        out.push({ ok: false, key: item.key, ...(item.versionId ? { versionId: item.versionId } : {}), error: e });
      }
    }
    return out;
  }
  async updateObjectMetadata(
    bucket: string,
    key: string,
    patch: Record<string, string | null>,
    opts: UpdateMetadataOptions = {},
  ): Promise<ObjectInfo> {
    const { set, loc } = await this.object(bucket, key);
    return this.changing(bucket, () => updateObjectMetadata(set, loc, patch, opts.versionId));
  }

  // ---- multipart ----
  async newMultipartUpload(bucket: string, key: string, opts: NewMultipartOptions): Promise<string> {
    const { set, loc } = await this.object(bucket, key);
    return mp.newMultipartUpload(set, loc, opts);
  }
  async putObjectPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Body,
    opts: PutPartOptions,
  ): Promise<PartInfo> {
    const { set, loc } = await this.object(bucket, key).catch(async (e) => {
      await body.cancel().catch(() => undefined);
      throw e;
    });
    return mp.putObjectPart(set, { ...loc, uploadId, partNumber }, body, opts);
  }
  async listObjectParts(bucket: string, key: string, uploadId: string, opts?: ListPartsOptions): Promise<ListPartsResult> {
    const { set, loc } = await this.object(bucket, key);
    return mp.listObjectParts(set, { ...loc, uploadId }, opts);
  }
  async listMultipartUploads(bucket: string, opts?: ListUploadsOptions): Promise<ListUploadsResult> {
    await this.requireBucket(bucket);
    return listMultipartUploads(this.sets, bucket, opts);
  }
  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletePart[],
    opts: CompleteMultipartOptions,
  ): Promise<ObjectInfo> {
    const { set, loc } = await this.object(bucket, key);
    return this.changing(bucket, () => mp.completeMultipartUpload(set, { ...loc, uploadId }, parts, opts));
  }
  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.object(bucket, key);
    return this.abortUpload(bucket, key, uploadId);
  }
  private abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    return mp.abortMultipartUpload(this.setFor(key), { bucket, key, uploadId });
  }

  // ---- listing ----
  async listObjects(bucket: string, opts?: ListObjectsOptions): Promise<ListObjectsResult> {
    await this.requireBucket(bucket);
    return listObjects(this.sets, bucket, opts, this.listings);
  }
  async listObjectVersions(bucket: string, opts: ListVersionsOptions = {}): Promise<ListVersionsResult> {
    await this.requireBucket(bucket);
    let first: { key: string; meta: ReturnType<typeof agreedMeta> } | undefined;
    if (opts.keyMarker !== undefined && opts.versionIdMarker !== undefined && validateObjectKey(opts.keyMarker) === null) {
      const set = this.setFor(opts.keyMarker);
      const metas = await readMetas(set, { bucket, key: opts.keyMarker });
      first = { key: opts.keyMarker, meta: agreedMeta(set, metas.map((r) => (r.ok ? r.value : null))) };
    }
    return listObjectVersions(this.sets, bucket, { ...opts, ...(first ? { first } : {}) });
  }

  // ---- healing ----
  async healObject(bucket: string, key: string, opts: HealOptions & { versionId?: string } = {}): Promise<HealResult> {
    const { set, loc } = await this.object(bucket, key);
    return this.changing(bucket, () => healObject(set, loc, opts));
  }
  healBucket(bucket: string, opts: HealOptions = {}): Promise<HealResult> {
    return this.changing(bucket, () => healBucket(this.sets, bucket, opts));
  }
  healAll(opts: HealOptions = {}): Promise<HealResult[]> {
    return bumpedAround(() => this.listings.bumpAll(), () => healAll(this.sets, opts));
  }

  async storageInfo(): Promise<StorageInfo> {
    const drives = await Promise.all(
      this.sets.flatMap((s) =>
        s.drives.map(async (d) => {
          try {
            const info = await d.diskInfo();
            return { endpoint: d.endpoint, state: "ok" as const, total: info.total, free: info.free };
          } catch {
            return { endpoint: d.endpoint, state: "offline" as const, total: 0, free: 0 };
          }
        }),
      ),
    );
    let i = 0;
    const online = this.sets.map((s) => s.drives.filter(() => drives[i++]!.state === "ok").length);
    return {
      drives,
      writable: this.sets.every((s, si) => online[si]! >= s.defaultWriteQuorum),
      readable: this.sets.every((s, si) => online[si]! >= s.defaultReadQuorum),
      writeQuorum: Math.max(...this.sets.map((s) => s.defaultWriteQuorum)),
    };
  }

  stats(): LayerStats {
    return eventCounts();
  }

  async close(): Promise<void> {
    await this.services.heal.close();
    this.services.codecs.closeAll();
    this.services.closing?.();
  }
}
