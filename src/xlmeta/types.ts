/**
 * The per-object metadata kept on every drive (`xl.meta`): all versions of one key, newest
 * first, plus inline data of small versions. Pure values; the codec lives beside this file.
 */

export type BitrotAlgorithm = "xxh3-64";

export interface ErasureInfo {
  /** Codec id as understood by src/ec (e.g. "isa_l_rs_vand"). */
  algorithm: string;
  dataBlocks: number;
  parityBlocks: number;
  /** Bytes of object data per erasure block (1 MiB). */
  blockSize: number;
  /** This drive's shard index, 1-based (shard `index` of `distribution`). */
  index: number;
  /** distribution[i] = 1-based shard index held by the set's drive i. */
  distribution: number[];
  bitrot: BitrotAlgorithm;
}

export interface PartMeta {
  number: number;
  /** Bytes of object data in this part. */
  size: number;
  etag: string;
  checksums?: Record<string, string>;
}

export interface ObjectVersionMeta {
  type: "object";
  /** null is S3's "null" version. */
  versionId: string | null;
  /** Nanoseconds since the epoch (exceeds 2^53: bigint). */
  modTime: bigint;
  size: number;
  etag: string;
  checksums?: Record<string, string>;
  checksumType?: "COMPOSITE" | "FULL_OBJECT";
  storageClass: string;
  /** content-type, content-encoding, … and x-amz-meta-* (key `x-amz-meta-name`), system values. */
  meta: Record<string, string>;
  parts: PartMeta[];
  erasure: ErasureInfo;
  /** Directory holding this version's shard files; null when inline. */
  dataDir: string | null;
  inline: boolean;
}

export interface DeleteMarkerMeta {
  type: "deleteMarker";
  versionId: string | null;
  modTime: bigint;
}

export type VersionMeta = ObjectVersionMeta | DeleteMarkerMeta;

export interface XlMeta {
  /** Newest first. */
  versions: VersionMeta[];
  /** Inline shard bytes per version, keyed by versionId ("null" for the null version). */
  inline: Map<string, Uint8Array>;
}

export class XlMetaError extends Error {
  constructor(
    readonly kind: "FileCorrupt" | "UnsupportedVersion",
    detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = "XlMetaError";
  }
}
