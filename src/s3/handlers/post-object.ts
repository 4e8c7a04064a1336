/**
 * PostObject: browser uploads with an HTML form. The form's signed policy is the request's
 * authentication (verified by auth's verifyPostPolicy), so the dispatcher lets this one
 * operation through without header authentication; a form without one is authorized here
 * against the bucket policy, once the key is known.
 */
import { verifyPostPolicy } from "../../auth/index";
import type { ObjectMetadata } from "../../object/index";
import { authorizeAnonymous } from "../authorize";
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import { formBoundary, parsePostForm } from "../../bucket/index";
import { MAX_PUT_SIZE, contentMd5Hex, quoteEtag, rejectUnsupportedWriteHeaders, storageClass } from "../headers";
import type { Endpoint } from "../router";
import { encodeTags, tagsFromXml, MAX_OBJECT_TAGS } from "../tags";
import { parseXml, schemas } from "../xml/index";
import { versionHeader, versioningOf } from "./common";
import { newVersionLockMeta } from "./object-lock";
import { requestMetadata } from "./object-put";

type Ctx = S3Context<Extract<Endpoint, { op: "PostObject" }>>;

/** Form fields that become object headers (the rest are policy, signing and control fields). */
const HEADER_FIELDS = /^(content-type|content-md5|cache-control|content-disposition|content-encoding|content-language|expires|x-amz-meta-.+|x-amz-storage-class|x-amz-server-side-encryption.*|x-amz-object-lock-.+)$/;
/** Form fields that stand for a header of another name. */
const RENAMED_FIELDS: Readonly<Record<string, string>> = { acl: "x-amz-acl" };

/**
 * The headers a PUT of the same object would carry. Form values are UTF-8 text, while the server
 * reads a request's header bytes as latin1: each value becomes the latin1 string of its UTF-8
 * bytes, so a form and a PUT with the same metadata store (and later answer) the same bytes.
 */
function headersFromFields(fields: Map<string, string>, fileContentType: string | undefined): Headers {
  const h = new Headers();
  for (const [field, value] of fields) {
    const name = RENAMED_FIELDS[field] ?? (HEADER_FIELDS.test(field) ? field : undefined);
    if (name === undefined) continue;
    try {
      h.set(name, Buffer.from(value, "utf8").toString("latin1"));
    } catch (cause) {
      throw new S3Error("InvalidArgument", { message: `The form field ${field} is not a valid header value.`, cause });
    }
  }
  if (!h.has("content-type") && fileContentType) h.set("content-type", fileContentType);
  return h;
}

/** Counts the file as it streams; fails before the end (so nothing is committed) when out of range. */
function sizeGuard(check: (size: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let size = 0;
  return new TransformStream({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > MAX_PUT_SIZE) throw new S3Error("EntityTooLarge");
      check(size);
      controller.enqueue(chunk);
    },
    flush() {
      check(size);
    },
  });
}

function lowerFields(fields: [string, string][]): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of fields) if (!m.has(k.toLowerCase())) m.set(k.toLowerCase(), v);
  return m;
}

export async function postObject(ctx: Ctx): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const boundary = formBoundary(ctx.headers.get("content-type"));
  if (!boundary || !ctx.auth.body) {
    throw new S3Error("PreconditionFailed", { bucket, message: "Bucket POST must be of the enclosure-type multipart/form-data" });
  }
  const form = await parsePostForm(ctx.auth.body, boundary);
  const verified = await verifyPostPolicy(form.fields, bucket, ctx.deps.lookupSecret);
  const fields = lowerFields(form.fields);
  const rawKey = fields.get("key");
  if (!rawKey) throw new S3Error("InvalidArgument", { message: "Bucket POST must contain a field named 'key'." });
  const key = rawKey.replaceAll("${filename}", form.fileName);
  const headers = headersFromFields(fields, form.fileContentType);
  if (verified.accessKey === null) await authorizeAnonymousForm(ctx, key, headers);
  rejectUnsupportedWriteHeaders(headers);
  const metadata = await formMetadata(ctx, headers, fields.get("tagging"));
  const body = form.file.pipeThrough(sizeGuard((n) => verified.checkContentLength(n)));
  const info = await ctx.deps.layer.putObject(bucket, key, body, {
    size: -1,
    metadata,
    storageClass: storageClass(headers),
    expectedMd5: contentMd5Hex(headers),
    versioning: await versioningOf(ctx.deps.layer, bucket),
  });
  return postResponse(ctx, fields, { key, etag: quoteEtag(info.etag), versionId: info.versionId });
}

/**
 * As PutObject: metadata and canned ACL, the form's XML tagging, and object lock (the form's lock
 * fields, else the bucket's default retention).
 */
async function formMetadata(ctx: Ctx, headers: Headers, tagging: string | undefined): Promise<ObjectMetadata> {
  const metadata = requestMetadata(headers);
  metadata.system = {
    ...metadata.system,
    ...(tagging !== undefined && { tagging: encodeTags(tagsFromXml(parseXml(tagging, "Tagging", schemas.tagging), MAX_OBJECT_TAGS)) }),
    ...(await newVersionLockMeta(ctx.deps.layer, ctx.endpoint.bucket, headers)),
  };
  return metadata;
}

/**
 * A form without a policy is an anonymous PutObject of its key, allowed only where the bucket
 * policy (or a public-read-write bucket ACL) allows it. The form's fields stand for the headers
 * that condition keys such as s3:x-amz-acl name.
 */
async function authorizeAnonymousForm(ctx: Ctx, key: string, formHeaders: Headers): Promise<void> {
  const headers = new Headers(ctx.headers);
  for (const [name, value] of formHeaders) headers.set(name, value);
  const endpoint = { op: "PutObject", bucket: ctx.endpoint.bucket, key } as const;
  await authorizeAnonymous(ctx.deps.layer, { endpoint, url: ctx.url, query: ctx.query, headers, ...(ctx.remoteAddress !== undefined && { remoteAddress: ctx.remoteAddress }) });
}

function postResponse(ctx: Ctx, fields: Map<string, string>, r: { key: string; etag: string; versionId: string | null }): HandlerResult {
  const { bucket } = ctx.endpoint;
  const location = new URL(`/${encodeURIComponent(bucket)}/${r.key.split("/").map(encodeURIComponent).join("/")}`, ctx.url).href;
  const headers = { etag: r.etag, location, ...versionHeader(r.versionId) };
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (redirect) {
    let target: URL | undefined;
    try {
      target = new URL(redirect);
    } catch {
      target = undefined;
    }
    if (target) {
      target.searchParams.set("bucket", bucket);
      target.searchParams.set("key", r.key);
      target.searchParams.set("etag", r.etag);
      return { status: 303, headers: { ...headers, location: target.href } };
    }
  }
  const status = fields.get("success_action_status");
  if (status === "201") return xml("PostResponse", { Location: location, Bucket: bucket, Key: r.key, ETag: r.etag }, { status: 201, headers, xmlns: null });
  return { status: status === "200" ? 200 : 204, headers };
}
