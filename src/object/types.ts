/**
 * The ObjectLayer contract: what the S3 front needs from storage, and nothing about how it is
 * stored. The erasure layer implements it; a gateway to another S3 could too.
 * One options type per operation, never a shared bag.
 */

export type Body = ReadableStream<Uint8Array>;

/** Flexible-checksum algorithms S3 knows; values are base64 as in the `x-amz-checksum-*` headers. */
export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

export type VersioningState = "unversioned" | "enabled" | "suspended";

/** The metadata a client sets on an object and gets back on GET/HEAD. */
export interface ObjectMetadata {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** `x-amz-meta-*` without the prefix, lower-case names. */
  user: Record<string, string>;
  /** Other system values kept with the object (tagging as URL query string, lock settings, …). */
  system?: Record<string, string>;
}

export interface BucketInfo {
  name: string;
  created: Date;
}

export interface PartSummary {
  partNumber: number;
  size: number;
  etag: string;
  checksums?: Checksums;
}

export interface ObjectInfo {
  bucket: string;
  key: string;
  /** null for the "null" version (unversioned or suspended buckets). */
  versionId: string | null;
  isLatest: boolean;
  deleteMarker: boolean;
  size: number;
  /** Quoted-free hex ETag; multipart ETags end in `-N`. */
  etag: string;
  modTime: Date;
  metadata: ObjectMetadata;
  checksums?: Checksums;
  checksumType?: "COMPOSITE" | "FULL_OBJECT";
  parts?: PartSummary[];
  storageClass: string;
}

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

// ---- buckets ----
export interface MakeBucketOptions {
  objectLock?: boolean;
}
export interface DeleteBucketOptions {
  /** Remove even when objects remain (admin `rb --force`). */
  force?: boolean;
}

export interface BucketOps {
  makeBucket(bucket: string, opts?: MakeBucketOptions): Promise<void>;
  getBucketInfo(bucket: string): Promise<BucketInfo>;
  listBuckets(): Promise<BucketInfo[]>;
  deleteBucket(bucket: string, opts?: DeleteBucketOptions): Promise<void>;
  /** Bucket configuration blobs by name (versioning, policy, cors, lifecycle, tagging, …). null when absent. */
  getBucketConfig(bucket: string, name: string): Promise<Uint8Array | null>;
  /** `data = null` deletes the blob. */
  setBucketConfig(bucket: string, name: string, data: Uint8Array | null): Promise<void>;
}

// ---- objects ----
export interface PutObjectOptions {
  /** Declared length in bytes, or -1 when unknown (chunked upload). A mismatch fails with IncompleteBody. */
  size: number;
  metadata: ObjectMetadata;
  versioning: VersioningState;
  storageClass?: string;
  /** Hex MD5 the body must have (from Content-MD5); BadDigest otherwise, nothing stored. */
  expectedMd5?: string;
  /** Checksums already verified by the front (headers or trailers), stored and returned as given. */
  checksums?: Checksums | (() => Checksums);
  /** Conditional write: `*` (must not exist) on If-None-Match, an ETag on If-Match. */
  ifMatch?: string;
  ifNoneMatch?: string;
  /** Preset modification time (replication, heal); defaults to now. */
  modTime?: Date;
}

export interface ByteRange {
  /** Inclusive start, inclusive end, as in the HTTP Range header after resolution. */
  start: number;
  end: number;
}
/** A Range header before the object's size is known. */
export type RangeSpec =
  | { type: "from"; start: number; end?: number } // bytes=a-b or bytes=a-
  | { type: "suffix"; length: number }; // bytes=-n

export interface GetObjectOptions {
  versionId?: string;
  range?: RangeSpec;
  partNumber?: number;
  conditions?: Conditions;
}

export interface GetObjectResult {
  info: ObjectInfo;
  /** The bytes served: the whole object, or `range`. */
  range?: ByteRange;
  body: Body;
  /**
   * The same bytes as `body`, when they were read whole already (small inline objects): a
   * caller may send these and leave `body` untouched.
   */
  bytes?: Uint8Array;
}

export interface StatObjectOptions {
  versionId?: string;
  partNumber?: number;
  conditions?: Conditions;
}

export interface CopyObjectOptions {
  srcVersionId?: string;
  srcConditions?: Conditions;
  /** REPLACE: use `metadata`; COPY: keep the source's. */
  metadataDirective: "COPY" | "REPLACE";
  metadata?: ObjectMetadata;
  versioning: VersioningState;
  storageClass?: string;
}

export interface DeleteObjectOptions {
  versionId?: string;
  versioning: VersioningState;
  /** Governance-mode retention may be bypassed by a permitted caller. */
  bypassGovernance?: boolean;
}

export interface DeleteObjectResult {
  versionId: string | null;
  deleteMarker: boolean;
}

export interface DeleteObjectsItem {
  key: string;
  versionId?: string;
}
export type DeleteObjectsResult =
  | ({ ok: true; key: string } & DeleteObjectResult & { requestedVersionId?: string })
  | { ok: false; key: string; versionId?: string; error: import("./errors").ObjectError };

export interface UpdateMetadataOptions {
  versionId?: string;
}

export interface ObjectOps {
  putObject(bucket: string, key: string, body: Body, opts: PutObjectOptions): Promise<ObjectInfo>;
  getObject(bucket: string, key: string, opts?: GetObjectOptions): Promise<GetObjectResult>;
  statObject(bucket: string, key: string, opts?: StatObjectOptions): Promise<ObjectInfo>;
  copyObject(
    src: { bucket: string; key: string },
    dst: { bucket: string; key: string },
    opts: CopyObjectOptions,
  ): Promise<ObjectInfo>;
  deleteObject(bucket: string, key: string, opts: DeleteObjectOptions): Promise<DeleteObjectResult>;
  deleteObjects(
    bucket: string,
    items: DeleteObjectsItem[],
    opts: Omit<DeleteObjectOptions, "versionId">,
  ): Promise<DeleteObjectsResult[]>;
  /** Replace system metadata entries (tags, retention, legal hold) of one version in place. */
  updateObjectMetadata(
    bucket: string,
    key: string,
    patch: Record<string, string | null>,
    opts?: UpdateMetadataOptions,
  ): Promise<ObjectInfo>;
}

// ---- multipart ----
export interface NewMultipartOptions {
  metadata: ObjectMetadata;
  storageClass?: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: "COMPOSITE" | "FULL_OBJECT";
}
export interface PutPartOptions {
  size: number;
  expectedMd5?: string;
  checksums?: Checksums | (() => Checksums);
}
export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
  modTime: Date;
  checksums?: Checksums;
}
export interface ListPartsOptions {
  partNumberMarker?: number;
  maxParts?: number;
}
export interface ListPartsResult {
  parts: PartInfo[];
  isTruncated: boolean;
  nextPartNumberMarker: number;
  metadata: ObjectMetadata;
  storageClass: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: "COMPOSITE" | "FULL_OBJECT";
}
export interface ListUploadsOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads?: number;
}
export interface UploadSummary {
  key: string;
  uploadId: string;
  initiated: Date;
  storageClass: string;
}
export interface ListUploadsResult {
  uploads: UploadSummary[];
  prefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}
export interface CompletePart {
  partNumber: number;
  etag: string;
  checksums?: Checksums;
}
export interface CompleteMultipartOptions {
  versioning: VersioningState;
  ifMatch?: string;
  ifNoneMatch?: string;
}

export interface MultipartOps {
  newMultipartUpload(bucket: string, key: string, opts: NewMultipartOptions): Promise<string>;
  putObjectPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Body,
    opts: PutPartOptions,
  ): Promise<PartInfo>;
  listObjectParts(bucket: string, key: string, uploadId: string, opts?: ListPartsOptions): Promise<ListPartsResult>;
  listMultipartUploads(bucket: string, opts?: ListUploadsOptions): Promise<ListUploadsResult>;
  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: CompletePart[],
    opts: CompleteMultipartOptions,
  ): Promise<ObjectInfo>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
}

// ---- listing ----
export interface ListObjectsOptions {
  prefix?: string;
  delimiter?: string;
  /** Exclusive start key (V1 marker, V2 start-after or decoded continuation token). */
  marker?: string;
  maxKeys?: number;
}
export interface ListObjectsResult {
  objects: ObjectInfo[];
  prefixes: string[];
  isTruncated: boolean;
  /** Last key or prefix returned, to resume after. */
  nextMarker?: string;
}
export interface ListVersionsOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  versionIdMarker?: string;
  maxKeys?: number;
}
export interface ListVersionsResult {
  versions: ObjectInfo[];
  prefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

export interface ListOps {
  listObjects(bucket: string, opts?: ListObjectsOptions): Promise<ListObjectsResult>;
  listObjectVersions(bucket: string, opts?: ListVersionsOptions): Promise<ListVersionsResult>;
}

// ---- healing ----
export interface HealOptions {
  /** Also re-read and verify every shard's bitrot hashes (slow). */
  deep?: boolean;
  dryRun?: boolean;
}
export interface HealResult {
  bucket: string;
  key?: string;
  /** Per drive: state before and after. */
  drives: { drive: string; before: DriveHealState; after: DriveHealState }[];
  objectsHealed: number;
}
export type DriveHealState = "ok" | "missing" | "corrupt" | "offline" | "healed";

export interface HealOps {
  healObject(bucket: string, key: string, opts?: HealOptions & { versionId?: string }): Promise<HealResult>;
  healBucket(bucket: string, opts?: HealOptions): Promise<HealResult>;
  /** Walk everything and heal what is missing (a replaced drive, a scanner pass). */
  healAll(opts?: HealOptions): Promise<HealResult[]>;
}

export interface ObjectLayer extends BucketOps, ObjectOps, MultipartOps, ListOps, HealOps {
  /** Online/offline drives and free space, for health and admin. */
  storageInfo(): Promise<StorageInfo>;
  /** Event counters for metrics; optional because a layer (a gateway) may keep none. */
  stats?(): LayerStats;
  close(): Promise<void>;
}

/** How one heal of an object ended: something rebuilt, nothing to do, or damage left behind. */
export type HealOutcome = "healed" | "clean" | "failed";

/** Counts since the process started. */
export interface LayerStats {
  heal: Record<HealOutcome, number>;
  /** Operations that failed for want of read or write quorum. */
  quorumFailures: Record<"read" | "write", number>;
}

export interface StorageInfo {
  drives: { endpoint: string; state: "ok" | "offline" | "unformatted"; total: number; free: number }[];
  /** Sets with at least write quorum of drives online. */
  writable: boolean;
  readable: boolean;
  /** Drives a write needs in the set that needs the most (MinIO's x-minio-write-quorum). */
  writeQuorum?: number;
}
