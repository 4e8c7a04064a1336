/** Listings: ListObjects (V1), ListObjectsV2, ListObjectVersions, ListMultipartUploads. */
import type { ListObjectsResult, ObjectInfo } from "../../object/index";
import { xml, xmlText, type HandlerResult, type S3Context } from "../context";
import { XmlWriter } from "../xml/index";
import { S3Error } from "../errors";
import { intParam } from "../headers";
import type { Endpoint } from "../router";
import type { RequestQuery } from "../../lib/index";
import { OWNER, isoDate, listStorageClass, urlEncoder, type Xml } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

const MAX_KEYS = 1000;

interface Common {
  prefix: string;
  delimiter?: string;
  /** The delimiter as the answer spells it (URL-encoded when asked). */
  delimiterOut?: string;
  maxKeys: number;
  enc: (s: string) => string;
  encodingType?: "url";
}

function commonParams(q: RequestQuery, maxName = "max-keys"): Common {
  const encodingType = q.get("encoding-type");
  if (encodingType !== null && encodingType !== "url") {
    throw new S3Error("InvalidArgument", {
      message: "Invalid Encoding Method specified in Request",
      fields: { ArgumentName: "encoding-type", ArgumentValue: encodingType },
    });
  }
  const delimiter = q.get("delimiter") || undefined;
  const enc = urlEncoder(q);
  return {
    prefix: q.get("prefix") ?? "",
    ...(delimiter !== undefined && { delimiter, delimiterOut: enc(delimiter) }),
    maxKeys: intParam(q, maxName, { min: 0, max: MAX_KEYS, clamp: true }) ?? MAX_KEYS,
    enc,
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

/** The Contents elements of a ListObjects page. */
function writeContents(w: XmlWriter, objects: ObjectInfo[], c: Common, withOwner: boolean): void {
  for (const o of objects) {
    w.element("Contents", () => {
      w.leaf("Key", c.enc(o.key)).leaf("LastModified", isoDate(o.modTime)).quotedLeaf("ETag", o.etag);
      for (const algorithm of Object.keys(o.checksums ?? {})) w.leaf("ChecksumAlgorithm", algorithm);
      w.leaf("Size", o.size);
      if (withOwner) writeOwner(w);
      w.leaf("StorageClass", listStorageClass(o));
    });
  }
}

function writeOwner(w: XmlWriter): void {
  w.element("Owner", () => w.leaf("ID", OWNER.ID).leaf("DisplayName", OWNER.DisplayName));
}

/** CommonPrefixes, then EncodingType: the tail every listing ends with. */
function writeTail(w: XmlWriter, list: string[], c: Common): string {
  for (const p of list) w.element("CommonPrefixes", () => w.leaf("Prefix", c.enc(p)));
  return w.leaf("EncodingType", c.encodingType).end();
}

function prefixes(list: string[], c: Common): Xml[] {
  return list.map((p) => ({ Prefix: c.enc(p) }));
}

export async function listObjectsV1(ctx: Ctx<"ListObjects">): Promise<HandlerResult> {
  const q = ctx.query;
  const c = commonParams(q);
  const marker = q.get("marker") ?? "";
  const res = await listPage(ctx, c, marker);
  const w = new XmlWriter("ListBucketResult").leaf("Name", ctx.endpoint.bucket).leaf("Prefix", c.enc(c.prefix)).leaf("Marker", c.enc(marker));
  if (res.isTruncated && res.nextMarker !== undefined) w.leaf("NextMarker", c.enc(res.nextMarker));
  w.leaf("MaxKeys", c.maxKeys).leaf("Delimiter", c.delimiterOut).leaf("IsTruncated", res.isTruncated);
  writeContents(w, res.objects, c, true);
  return xmlText(writeTail(w, res.prefixes, c));
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
  const q = ctx.query;
  const c = commonParams(q);
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? undefined;
  const marker = token !== null ? decodeToken(token) : startAfter;
  const res = await listPage(ctx, c, marker);
  const w = new XmlWriter("ListBucketResult").leaf("Name", ctx.endpoint.bucket).leaf("Prefix", c.enc(c.prefix));
  if (token !== null) w.leaf("ContinuationToken", token);
  if (startAfter !== undefined) w.leaf("StartAfter", c.enc(startAfter));
  if (res.isTruncated && res.nextMarker !== undefined) w.leaf("NextContinuationToken", encodeToken(res.nextMarker));
  w.leaf("KeyCount", res.objects.length + res.prefixes.length).leaf("MaxKeys", c.maxKeys);
  w.leaf("Delimiter", c.delimiterOut).leaf("IsTruncated", res.isTruncated);
  writeContents(w, res.objects, c, q.get("fetch-owner") === "true");
  return xmlText(writeTail(w, res.prefixes, c));
}

export async function listObjectVersions(ctx: Ctx<"ListObjectVersions">): Promise<HandlerResult> {
  const q = ctx.query;
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
  const w = new XmlWriter("ListVersionsResult").leaf("Name", ctx.endpoint.bucket).leaf("Prefix", c.enc(c.prefix));
  w.leaf("KeyMarker", c.enc(keyMarker)).leaf("VersionIdMarker", versionIdMarker);
  if (res.isTruncated && res.nextKeyMarker !== undefined) w.leaf("NextKeyMarker", c.enc(res.nextKeyMarker));
  if (res.isTruncated && res.nextVersionIdMarker !== undefined) w.leaf("NextVersionIdMarker", res.nextVersionIdMarker);
  w.leaf("MaxKeys", c.maxKeys).leaf("Delimiter", c.delimiterOut).leaf("IsTruncated", res.isTruncated);
  // Versions first, then delete markers, each in listing order.
  for (const markers of [false, true]) {
    for (const v of res.versions) {
      if (v.deleteMarker !== markers) continue;
      w.element(markers ? "DeleteMarker" : "Version", () => {
        w.leaf("Key", c.enc(v.key)).leaf("VersionId", v.versionId ?? "null").leaf("IsLatest", v.isLatest).leaf("LastModified", isoDate(v.modTime));
        if (!markers) w.quotedLeaf("ETag", v.etag).leaf("Size", v.size).leaf("StorageClass", listStorageClass(v));
        writeOwner(w);
      });
    }
  }
  return xmlText(writeTail(w, res.prefixes, c));
}

export async function listMultipartUploads(ctx: Ctx<"ListMultipartUploads">): Promise<HandlerResult> {
  const q = ctx.query;
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
    Delimiter: c.delimiterOut,
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
