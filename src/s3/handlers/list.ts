/** Listings: ListObjects (V1), ListObjectsV2, ListObjectVersions, ListMultipartUploads. */
import type { ListObjectsResult, ObjectInfo } from "../../object/index";
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import { intParam, quoteEtag } from "../headers";
import type { Endpoint } from "../router";
import { OWNER, isoDate, listStorageClass, urlEncoder, type Xml } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

const MAX_KEYS = 1000;

interface Common {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  enc: (s: string) => string;
  encodingType?: "url";
}

function commonParams(q: URLSearchParams, maxName = "max-keys"): Common {
  const encodingType = q.get("encoding-type");
  if (encodingType !== null && encodingType !== "url") {
    throw new S3Error("InvalidArgument", {
      message: "Invalid Encoding Method specified in Request",
      fields: { ArgumentName: "encoding-type", ArgumentValue: encodingType },
    });
  }
  const delimiter = q.get("delimiter") || undefined;
  return {
    prefix: q.get("prefix") ?? "",
    ...(delimiter !== undefined && { delimiter }),
    maxKeys: intParam(q, maxName, { min: 0, max: MAX_KEYS, clamp: true }) ?? MAX_KEYS,
    enc: urlEncoder(q),
    ...(encodingType === "url" && { encodingType: "url" as const }),
  };
}

async function listPage(ctx: S3Context & { endpoint: { bucket: string } }, c: Common, marker: string | undefined) {
  if (c.maxKeys === 0) {
    // Nothing can be returned; still answer NoSuchBucket for a missing bucket.
    await ctx.deps.layer.getBucketInfo(ctx.endpoint.bucket);
    return { objects: [], prefixes: [], isTruncated: false } satisfies ListObjectsResult;
  }
  return ctx.deps.layer.listObjects(ctx.endpoint.bucket, {
    prefix: c.prefix,
    delimiter: c.delimiter,
    maxKeys: c.maxKeys,
    ...(marker && { marker }),
  });
}

function contents(objects: ObjectInfo[], c: Common, withOwner: boolean): Xml[] {
  return objects.map((o) => ({
    Key: c.enc(o.key),
    LastModified: isoDate(o.modTime),
    ETag: quoteEtag(o.etag),
    ...(o.checksums && Object.keys(o.checksums).length > 0 && { ChecksumAlgorithm: Object.keys(o.checksums) }),
    Size: o.size,
    ...(withOwner && { Owner: { ...OWNER } }),
    StorageClass: listStorageClass(o),
  }));
}

function prefixes(list: string[], c: Common): Xml[] {
  return list.map((p) => ({ Prefix: c.enc(p) }));
}

export async function listObjectsV1(ctx: Ctx<"ListObjects">): Promise<HandlerResult> {
  const q = ctx.url.searchParams;
  const c = commonParams(q);
  const marker = q.get("marker") ?? "";
  const res = await listPage(ctx, c, marker);
  return xml("ListBucketResult", {
    Name: ctx.endpoint.bucket,
    Prefix: c.enc(c.prefix),
    Marker: c.enc(marker),
    ...(res.isTruncated && res.nextMarker !== undefined && { NextMarker: c.enc(res.nextMarker) }),
    MaxKeys: c.maxKeys,
    Delimiter: c.delimiter === undefined ? undefined : c.enc(c.delimiter),
    IsTruncated: res.isTruncated,
    Contents: contents(res.objects, c, true),
    CommonPrefixes: prefixes(res.prefixes, c),
    EncodingType: c.encodingType,
  });
}

/** Continuation tokens are opaque to clients: base64url of the key to resume after. */
export function encodeToken(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

export function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) {
    throw new S3Error("InvalidArgument", {
      message: "The continuation token provided is incorrect",
      fields: { ArgumentName: "continuation-token" },
    });
  }
  return Buffer.from(token, "base64url").toString("utf8");
}

export async function listObjectsV2(ctx: Ctx<"ListObjectsV2">): Promise<HandlerResult> {
  const q = ctx.url.searchParams;
  const c = commonParams(q);
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? undefined;
  const marker = token !== null ? decodeToken(token) : startAfter;
  const res = await listPage(ctx, c, marker);
  return xml("ListBucketResult", {
    Name: ctx.endpoint.bucket,
    Prefix: c.enc(c.prefix),
    ...(token !== null && { ContinuationToken: token }),
    ...(startAfter !== undefined && { StartAfter: c.enc(startAfter) }),
    ...(res.isTruncated && res.nextMarker !== undefined && { NextContinuationToken: encodeToken(res.nextMarker) }),
    KeyCount: res.objects.length + res.prefixes.length,
    MaxKeys: c.maxKeys,
    Delimiter: c.delimiter === undefined ? undefined : c.enc(c.delimiter),
    IsTruncated: res.isTruncated,
    Contents: contents(res.objects, c, q.get("fetch-owner") === "true"),
    CommonPrefixes: prefixes(res.prefixes, c),
    EncodingType: c.encodingType,
  });
}

export async function listObjectVersions(ctx: Ctx<"ListObjectVersions">): Promise<HandlerResult> {
  const q = ctx.url.searchParams;
  const c = commonParams(q);
  const keyMarker = q.get("key-marker") ?? "";
  const versionIdMarker = q.get("version-id-marker") ?? "";
  if (versionIdMarker && !keyMarker) {
    throw new S3Error("InvalidArgument", {
      message: "A version-id marker cannot be specified without a key marker.",
      fields: { ArgumentName: "version-id-marker", ArgumentValue: versionIdMarker },
    });
  }
  const res = await ctx.deps.layer.listObjectVersions(ctx.endpoint.bucket, {
    prefix: c.prefix,
    delimiter: c.delimiter,
    maxKeys: c.maxKeys,
    ...(keyMarker && { keyMarker }),
    ...(versionIdMarker && { versionIdMarker }),
  });
  const entry = (v: ObjectInfo): Xml => ({
    Key: c.enc(v.key),
    VersionId: v.versionId ?? "null",
    IsLatest: v.isLatest,
    LastModified: isoDate(v.modTime),
    ...(!v.deleteMarker && { ETag: quoteEtag(v.etag), Size: v.size, StorageClass: listStorageClass(v) }),
    Owner: { ...OWNER },
  });
  return xml("ListVersionsResult", {
    Name: ctx.endpoint.bucket,
    Prefix: c.enc(c.prefix),
    KeyMarker: c.enc(keyMarker),
    VersionIdMarker: versionIdMarker,
    ...(res.isTruncated && res.nextKeyMarker !== undefined && { NextKeyMarker: c.enc(res.nextKeyMarker) }),
    ...(res.isTruncated && res.nextVersionIdMarker !== undefined && { NextVersionIdMarker: res.nextVersionIdMarker }),
    MaxKeys: c.maxKeys,
    Delimiter: c.delimiter === undefined ? undefined : c.enc(c.delimiter),
    IsTruncated: res.isTruncated,
    Version: res.versions.filter((v) => !v.deleteMarker).map(entry),
    DeleteMarker: res.versions.filter((v) => v.deleteMarker).map(entry),
    CommonPrefixes: prefixes(res.prefixes, c),
    EncodingType: c.encodingType,
  });
}

export async function listMultipartUploads(ctx: Ctx<"ListMultipartUploads">): Promise<HandlerResult> {
  const q = ctx.url.searchParams;
  const c = commonParams(q, "max-uploads");
  const keyMarker = q.get("key-marker") ?? "";
  const uploadIdMarker = q.get("upload-id-marker") ?? "";
  const res = await ctx.deps.layer.listMultipartUploads(ctx.endpoint.bucket, {
    prefix: c.prefix,
    delimiter: c.delimiter,
    maxUploads: c.maxKeys,
    ...(keyMarker && { keyMarker }),
    ...(uploadIdMarker && { uploadIdMarker }),
  });
  return xml("ListMultipartUploadsResult", {
    Bucket: ctx.endpoint.bucket,
    KeyMarker: c.enc(keyMarker),
    UploadIdMarker: uploadIdMarker,
    NextKeyMarker: c.enc(res.nextKeyMarker ?? ""),
    NextUploadIdMarker: res.nextUploadIdMarker ?? "",
    Prefix: c.enc(c.prefix),
    Delimiter: c.delimiter === undefined ? undefined : c.enc(c.delimiter),
    MaxUploads: c.maxKeys,
    IsTruncated: res.isTruncated,
    Upload: res.uploads.map((u) => ({
      Key: c.enc(u.key),
      UploadId: u.uploadId,
      Initiator: { ...OWNER },
      Owner: { ...OWNER },
      StorageClass: u.storageClass || "STANDARD",
      Initiated: isoDate(u.initiated),
    })),
    CommonPrefixes: prefixes(res.prefixes, c),
    EncodingType: c.encodingType,
  });
}
