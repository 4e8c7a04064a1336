/** Multipart uploads: create, upload part (and copy), complete, abort, list parts. */
import type { ChecksumAlgorithm, Checksums } from "../../object/index";
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import {
  CHECKSUM_ALGORITHMS,
  checksumFields,
  checksumHeaders,
  conditionsFromHeaders,
  contentMd5Hex,
  declaredSize,
  intParam,
  parseCopySource,
  parseCopySourceRange,
  quoteEtag,
  rejectUnsupportedWriteHeaders,
  storageClass,
  unquoteEtag,
} from "../headers";
import type { Endpoint } from "../router";
import { XML_LIST_BODY_LIMIT, decodeUtf8, parseXml, readBodyBytes, schemas } from "../xml/index";
import { OWNER, isoDate, versionHeader, versioningOf } from "./common";
import { expirationHeaders } from "./lifecycle";
import { emptyBody, requestMetadata, writeConditions } from "./object-put";
import { newVersionLockMeta } from "./object-lock";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

function uploadId(ctx: S3Context): string {
  const id = ctx.query.get("uploadId");
  if (!id) throw new S3Error("InvalidArgument", { message: "uploadId must be given.", fields: { ArgumentName: "uploadId" } });
  return id;
}

function partNumber(ctx: S3Context): number {
  const n = intParam(ctx.query, "partNumber", { min: 1, max: 10000 });
  if (n === undefined) throw new S3Error("InvalidArgument", { message: "Part number must be an integer between 1 and 10000, inclusive", fields: { ArgumentName: "partNumber" } });
  return n;
}

function checksumAlgorithm(headers: Headers): ChecksumAlgorithm | undefined {
  const v = headers.get("x-amz-checksum-algorithm")?.toUpperCase();
  if (v === undefined) return undefined;
  const alg = CHECKSUM_ALGORITHMS.find((a) => a === v);
  if (!alg) throw new S3Error("InvalidRequest", { message: `Checksum algorithm ${v} is not supported.` });
  return alg;
}

function checksumType(headers: Headers): "COMPOSITE" | "FULL_OBJECT" | undefined {
  const v = headers.get("x-amz-checksum-type")?.toUpperCase();
  if (v === undefined) return undefined;
  if (v === "COMPOSITE" || v === "FULL_OBJECT") return v;
  throw new S3Error("InvalidRequest", { message: `Checksum type ${v} is not supported.` });
}

export async function createMultipartUpload(ctx: Ctx<"CreateMultipartUpload">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  rejectUnsupportedWriteHeaders(ctx.headers);
  const alg = checksumAlgorithm(ctx.headers);
  const type = checksumType(ctx.headers);
  const metadata = requestMetadata(ctx.headers);
  metadata.system = { ...metadata.system, ...(await newVersionLockMeta(ctx.deps.layer, bucket, ctx.headers)) };
  const id = await ctx.deps.layer.newMultipartUpload(bucket, key, {
    metadata,
    storageClass: storageClass(ctx.headers),
    ...(alg && { checksumAlgorithm: alg }),
    ...(type && { checksumType: type }),
  });
  const headers: Record<string, string> = {};
  if (alg) headers["x-amz-checksum-algorithm"] = alg;
  if (type) headers["x-amz-checksum-type"] = type;
  return xml("InitiateMultipartUploadResult", { Bucket: bucket, Key: key, UploadId: id }, { headers });
}

export async function uploadPart(ctx: Ctx<"UploadPart">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const { auth, headers } = ctx;
  const n = partNumber(ctx);
  const info = await ctx.deps.layer.putObjectPart(bucket, key, uploadId(ctx), n, auth.body ?? emptyBody(), {
    size: declaredSize(headers, auth.contentLength),
    expectedMd5: contentMd5Hex(headers),
    checksums: () => auth.checksums(),
  });
  return { headers: { etag: quoteEtag(info.etag), ...checksumHeaders(info.checksums) } };
}

export async function uploadPartCopy(ctx: Ctx<"UploadPartCopy">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const { layer } = ctx.deps;
  const n = partNumber(ctx);
  const id = uploadId(ctx);
  const src = parseCopySource(ctx.headers.get("x-amz-copy-source"));
  const range = parseCopySourceRange(ctx.headers.get("x-amz-copy-source-range"));
  const res = await layer.getObject(src.bucket, src.key, {
    versionId: src.versionId,
    conditions: conditionsFromHeaders(ctx.headers, "x-amz-copy-source-"),
    ...(range && { range: { type: "from" as const, start: range.start, end: range.end } }),
  });
  if (range && (range.end >= res.info.size || !res.range)) {
    void res.body.cancel().catch(() => {});
    throw new S3Error("InvalidRange", { headers: { "content-range": `bytes */${res.info.size}` } });
  }
  const size = res.range ? res.range.end - res.range.start + 1 : res.info.size;
  const part = await layer.putObjectPart(bucket, key, id, n, res.body, { size }).catch(async (e: unknown) => {
    // A part that fails before reading its source (e.g. NoSuchUpload) must still release it.
    await res.body.cancel().catch(() => {});
    throw e;
  });
  const headers: Record<string, string> = {};
  if (res.info.versionId) headers["x-amz-copy-source-version-id"] = res.info.versionId;
  return xml(
    "CopyPartResult",
    { ETag: quoteEtag(part.etag), LastModified: isoDate(part.modTime), ...checksumFields(part.checksums) },
    { headers },
  );
}

function partChecksums(p: Record<string, unknown>): Checksums | undefined {
  const out: Checksums = {};
  for (const alg of CHECKSUM_ALGORITHMS) {
    const v = p[`Checksum${alg}`];
    if (typeof v === "string") out[alg] = v.trim();
  }
  return Object.keys(out).length ? out : undefined;
}

export async function completeMultipartUpload(ctx: Ctx<"CompleteMultipartUpload">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const id = uploadId(ctx);
  const text = decodeUtf8(await readBodyBytes(ctx.auth.body, XML_LIST_BODY_LIMIT));
  const req = parseXml(text, "CompleteMultipartUpload", schemas.completeMultipartUpload);
  const parts = req.Part.map((p) => {
    const checksums = partChecksums(p);
    return { partNumber: p.PartNumber, etag: unquoteEtag(p.ETag), ...(checksums && { checksums }) };
  });
  const { layer } = ctx.deps;
  const info = await layer.completeMultipartUpload(bucket, key, id, parts, {
    versioning: await versioningOf(layer, bucket),
    ...writeConditions(ctx.headers),
  });
  const location = new URL(`/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`, ctx.url);
  return xml(
    "CompleteMultipartUploadResult",
    { Location: location.href, Bucket: bucket, Key: key, ETag: quoteEtag(info.etag), ...checksumFields(info.checksums) },
    { headers: { ...versionHeader(info.versionId), ...checksumHeaders(info.checksums), ...(await expirationHeaders(layer, info)) } },
  );
}

export async function abortMultipartUpload(ctx: Ctx<"AbortMultipartUpload">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  await ctx.deps.layer.abortMultipartUpload(bucket, key, uploadId(ctx));
  return { status: 204 };
}

export async function listParts(ctx: Ctx<"ListParts">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const q = ctx.query;
  const id = uploadId(ctx);
  const maxParts = intParam(q, "max-parts", { min: 0, max: 1000, clamp: true }) ?? 1000;
  const marker = intParam(q, "part-number-marker", { min: 0, max: 10000 }) ?? 0;
  const res = await ctx.deps.layer.listObjectParts(bucket, key, id, { partNumberMarker: marker, maxParts });
  return xml("ListPartsResult", {
    Bucket: bucket,
    Key: key,
    UploadId: id,
    Initiator: { ...OWNER },
    Owner: { ...OWNER },
    StorageClass: res.storageClass || "STANDARD",
    PartNumberMarker: marker,
    NextPartNumberMarker: res.nextPartNumberMarker,
    MaxParts: maxParts,
    IsTruncated: res.isTruncated,
    Part: res.parts.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: isoDate(p.modTime),
      ETag: quoteEtag(p.etag),
      Size: p.size,
      ...checksumFields(p.checksums),
    })),
    ChecksumAlgorithm: res.checksumAlgorithm,
    ChecksumType: res.checksumType,
  });
}
