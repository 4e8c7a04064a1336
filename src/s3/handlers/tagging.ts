/** Object and bucket tagging: XML ↔ the stored query-string form. */
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import type { Endpoint } from "../router";
import { MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, encodeTags, parseTagQuery, tagsFromXml, tagsToXml } from "../tags";
import { decodeUtf8, parseXml, readBodyBytes, schemas } from "../xml/index";
import { TAGGING_CONFIG, decodeText, encodeText, versionHeader } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

function versionIdOf(ctx: S3Context): string | undefined {
  return ctx.query.get("versionId") ?? undefined;
}

async function readTagging(ctx: S3Context, max: number) {
  const text = decodeUtf8(await readBodyBytes(ctx.auth.body));
  return tagsFromXml(parseXml(text, "Tagging", schemas.tagging), max);
}

export async function getObjectTagging(ctx: Ctx<"GetObjectTagging">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const info = await ctx.deps.layer.statObject(bucket, key, { versionId: versionIdOf(ctx) });
  const tags = parseTagQuery(info.metadata.system?.tagging ?? "", Number.MAX_SAFE_INTEGER);
  return xml("Tagging", tagsToXml(tags), { headers: versionHeader(info.versionId) });
}

export async function putObjectTagging(ctx: Ctx<"PutObjectTagging">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const tags = await readTagging(ctx, MAX_OBJECT_TAGS);
  const encoded = encodeTags(tags);
  const info = await ctx.deps.layer.updateObjectMetadata(
    bucket,
    key,
    { tagging: encoded === "" ? null : encoded },
    { versionId: versionIdOf(ctx) },
  );
  return { headers: versionHeader(info.versionId) };
}

export async function deleteObjectTagging(ctx: Ctx<"DeleteObjectTagging">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const info = await ctx.deps.layer.updateObjectMetadata(bucket, key, { tagging: null }, { versionId: versionIdOf(ctx) });
  return { status: 204, headers: versionHeader(info.versionId) };
}

export async function getBucketTagging(ctx: Ctx<"GetBucketTagging">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const blob = await ctx.deps.layer.getBucketConfig(bucket, TAGGING_CONFIG);
  if (!blob) throw new S3Error("NoSuchTagSet", { bucket });
  return xml("Tagging", tagsToXml(parseTagQuery(decodeText(blob), Number.MAX_SAFE_INTEGER)));
}

export async function putBucketTagging(ctx: Ctx<"PutBucketTagging">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const tags = await readTagging(ctx, MAX_BUCKET_TAGS);
  await ctx.deps.layer.setBucketConfig(bucket, TAGGING_CONFIG, tags.length ? encodeText(encodeTags(tags)) : null);
  return { status: 204 };
}

export async function deleteBucketTagging(ctx: Ctx<"DeleteBucketTagging">): Promise<HandlerResult> {
  await ctx.deps.layer.setBucketConfig(ctx.endpoint.bucket, TAGGING_CONFIG, null);
  return { status: 204 };
}
