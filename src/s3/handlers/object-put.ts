/** PutObject and CopyObject. */
import type { ObjectInfo, ObjectMetadata } from "../../object/index";
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import {
  checksumFields,
  checksumHeaders,
  conditionsFromHeaders,
  contentMd5Hex,
  declaredSize,
  metadataFromHeaders,
  parseCopySource,
  quoteEtag,
  rejectUnsupportedWriteHeaders,
  storageClass,
} from "../headers";
import type { Endpoint } from "../router";
import { encodeTags, parseTagQuery } from "../tags";
import { cannedAclHeader, storedAcl } from "./acl";
import { expirationHeaders } from "./lifecycle";
import { lockConfigOf, newVersionLockMeta, withoutLock } from "./object-lock";
import { ACL_META, isoDate, versionHeader, versioningOf } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

/** Metadata from headers plus `x-amz-tagging` (validated) into system metadata. */
export function requestMetadata(headers: Headers): ObjectMetadata {
  const md = metadataFromHeaders(headers);
  const tagging = headers.get("x-amz-tagging");
  if (tagging !== null) md.system = { tagging: encodeTags(parseTagQuery(tagging)) };
  const acl = storedAcl(cannedAclHeader(headers));
  if (acl !== undefined) md.system = { ...md.system, [ACL_META]: acl };
  return md;
}

/** PUT conditional writes: S3 supports only `If-None-Match: *` and `If-Match: <etag>`. */
export function writeConditions(headers: Headers): { ifMatch?: string; ifNoneMatch?: string } {
  const ifNoneMatch = headers.get("if-none-match") ?? undefined;
  const ifMatch = headers.get("if-match") ?? undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*") {
    throw new S3Error("NotImplemented", { message: "If-None-Match supports only '*' on writes." });
  }
  return { ...(ifMatch !== undefined && { ifMatch }), ...(ifNoneMatch !== undefined && { ifNoneMatch }) };
}

export function writeResultHeaders(info: ObjectInfo): Record<string, string> {
  return { etag: quoteEtag(info.etag), ...versionHeader(info.versionId), ...checksumHeaders(info.checksums) };
}

export async function putObject(ctx: Ctx<"PutObject">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const { headers, auth } = ctx;
  rejectUnsupportedWriteHeaders(headers);
  const size = declaredSize(headers, auth.contentLength);
  const metadata = requestMetadata(headers);
  metadata.system = { ...metadata.system, ...(await newVersionLockMeta(ctx.deps.layer, bucket, headers)) };
  const opts = {
    size,
    metadata,
    storageClass: storageClass(headers),
    expectedMd5: contentMd5Hex(headers),
    checksums: () => auth.checksums(),
    ...writeConditions(headers),
    versioning: await versioningOf(ctx.deps.layer, bucket),
  };
  const body = auth.body ?? emptyBody();
  const info = await ctx.deps.layer.putObject(bucket, key, body, opts);
  return { headers: { ...writeResultHeaders(info), ...(await expirationHeaders(ctx.deps.layer, info)) } };
}

export function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (c) => c.close() });
}

function directive(headers: Headers, name: string): "COPY" | "REPLACE" {
  const v = headers.get(name);
  if (v === null || v === "COPY" || v === "REPLACE") return v ?? "COPY";
  throw new S3Error("InvalidArgument", {
    message: `Unknown ${name}.`,
    fields: { ArgumentName: name, ArgumentValue: v },
  });
}

export async function copyObject(ctx: Ctx<"CopyObject">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const { headers } = ctx;
  const { layer } = ctx.deps;
  rejectUnsupportedWriteHeaders(headers);
  const src = parseCopySource(headers.get("x-amz-copy-source"));
  const metadataDirective = directive(headers, "x-amz-metadata-directive");
  const taggingDirective = directive(headers, "x-amz-tagging-directive");
  const cls = storageClass(headers);
  const self = src.bucket === bucket && src.key === key && src.versionId === undefined;
  if (self && metadataDirective === "COPY" && taggingDirective === "COPY" && cls === undefined) {
    throw new S3Error("InvalidRequest", {
      message:
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    });
  }
  const plan = await copyMetadata(ctx, src, { metadataDirective, taggingDirective });
  const info = await layer.copyObject(src, { bucket, key }, {
    srcVersionId: plan.srcVersionId,
    srcConditions: conditionsFromHeaders(headers, "x-amz-copy-source-"),
    metadataDirective: plan.metadata ? "REPLACE" : "COPY",
    metadata: plan.metadata,
    storageClass: cls,
    versioning: await versioningOf(layer, bucket),
  });
  const final = metadataDirective === "COPY" && taggingDirective === "REPLACE" ? await replaceTags(ctx, info) : info;
  return xml(
    "CopyObjectResult",
    { ETag: quoteEtag(final.etag), LastModified: isoDate(final.modTime), ...checksumFields(final.checksums) },
    {
      headers: {
        ...versionHeader(final.versionId),
        ...(await expirationHeaders(layer, final)),
        ...(src.versionId !== undefined && { "x-amz-copy-source-version-id": src.versionId }),
      },
    },
  );
}

type CopySource = { bucket: string; key: string; versionId?: string };
type Directives = { metadataDirective: "COPY" | "REPLACE"; taggingDirective: "COPY" | "REPLACE" };

/**
 * The destination's metadata (undefined: the layer copies the source's as is) and the source
 * version to read. The copy's lock comes from the request or the destination's default
 * retention, never from the source, so a locked source or a lock on the copy needs the source's
 * metadata rewritten. The source version is then pinned so data and metadata match; only an
 * unversioned source has no id to pin, and a write racing the copy could pair its data with
 * the metadata read just before.
 */
async function copyMetadata(ctx: Ctx<"CopyObject">, src: CopySource, d: Directives): Promise<{ metadata?: ObjectMetadata; srcVersionId?: string }> {
  const { layer } = ctx.deps;
  const lock = await newVersionLockMeta(layer, ctx.endpoint.bucket, ctx.headers);
  if (d.metadataDirective === "REPLACE") {
    const metadata = metadataFromHeaders(ctx.headers);
    metadata.system = { ...withoutLock(await carriedSystem(ctx, src, d.taggingDirective)), ...lock };
    return { metadata, srcVersionId: src.versionId };
  }
  const sourceMayBeLocked = (await lockConfigOf(layer, src.bucket)) !== undefined;
  if (Object.keys(lock).length === 0 && !sourceMayBeLocked) return { srcVersionId: src.versionId };
  const info = await layer.statObject(src.bucket, src.key, { versionId: src.versionId });
  const metadata = { ...info.metadata, system: { ...withoutLock(info.metadata.system), ...lock } };
  return { metadata, srcVersionId: src.versionId ?? info.versionId ?? undefined };
}

/** With metadata REPLACE the source's system entries (tags) survive unless tags are replaced too. */
async function carriedSystem(ctx: Ctx<"CopyObject">, src: CopySource, taggingDirective: "COPY" | "REPLACE"): Promise<Record<string, string>> {
  if (taggingDirective === "REPLACE") {
    const tagging = ctx.headers.get("x-amz-tagging") ?? "";
    return { tagging: encodeTags(parseTagQuery(tagging)) };
  }
  const info = await ctx.deps.layer.statObject(src.bucket, src.key, { versionId: src.versionId });
  return { ...(info.metadata.system ?? {}) };
}

async function replaceTags(ctx: Ctx<"CopyObject">, info: ObjectInfo): Promise<ObjectInfo> {
  const tagging = encodeTags(parseTagQuery(ctx.headers.get("x-amz-tagging") ?? ""));
  return ctx.deps.layer.updateObjectMetadata(info.bucket, info.key, { tagging: tagging === "" ? null : tagging }, {
    versionId: info.versionId ?? undefined,
  });
}
