/** Put/Get/DeleteBucketLifecycleConfiguration, and the scanner's view of a bucket. */
import { z } from "zod";
import { decodeLifecycle, encodeLifecycle, expirationHeader, lifecycleConfigurationXml, parseLifecycleConfiguration, type ScanTarget } from "../../bucket/index";
import type { ObjectInfo, ObjectLayer } from "../../object/index";
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import type { Endpoint } from "../router";
import { decodeUtf8, parseXml, readBodyBytes, type XmlValue } from "../xml/index";
import { versioningOf } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

/** The bucket config blob holding the validated LifecycleConfig (JSON, see encodeLifecycle). */
export const LIFECYCLE_CONFIG = "lifecycle";

/** What the lifecycle scanner needs of a bucket; null when it has no lifecycle configuration. */
export async function lifecycleTargetOf(layer: ObjectLayer, bucket: string): Promise<ScanTarget | null> {
  const blob = await layer.getBucketConfig(bucket, LIFECYCLE_CONFIG);
  if (!blob) return null;
  return { lifecycle: decodeLifecycle(blob), versioning: await versioningOf(layer, bucket) };
}

/**
 * `x-amz-expiration` (PUT, Copy, GET, HEAD) when an Expiration rule will expire this version:
 * only the current version, as noncurrent expiry is not announced by AWS either.
 */
export async function expirationHeaders(layer: ObjectLayer, info: ObjectInfo): Promise<Record<string, string>> {
  if (!info.isLatest || info.deleteMarker) return {};
  const blob = await layer.getBucketConfig(info.bucket, LIFECYCLE_CONFIG);
  if (!blob) return {};
  const tags = Object.fromEntries(new URLSearchParams(info.metadata.system?.tagging ?? ""));
  const value = expirationHeader(decodeLifecycle(blob), { key: info.key, tags, size: info.size, modTime: info.modTime });
  return value === undefined ? {} : { "x-amz-expiration": value };
}

export async function getBucketLifecycle(ctx: Ctx<"GetBucketLifecycleConfiguration">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const blob = await ctx.deps.layer.getBucketConfig(bucket, LIFECYCLE_CONFIG);
  if (!blob) throw new S3Error("NoSuchLifecycleConfiguration", { bucket });
  return xml("LifecycleConfiguration", lifecycleConfigurationXml(decodeLifecycle(blob)) as Record<string, XmlValue>);
}

export async function putBucketLifecycle(ctx: Ctx<"PutBucketLifecycleConfiguration">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  await ctx.deps.layer.getBucketInfo(bucket);
  const text = decodeUtf8(await readBodyBytes(ctx.auth.body));
  const config = parseLifecycleConfiguration(parseXml(text, "LifecycleConfiguration", z.unknown()));
  await ctx.deps.layer.setBucketConfig(bucket, LIFECYCLE_CONFIG, encodeLifecycle(config));
  return {};
}

export async function deleteBucketLifecycle(ctx: Ctx<"DeleteBucketLifecycle">): Promise<HandlerResult> {
  await ctx.deps.layer.getBucketInfo(ctx.endpoint.bucket);
  await ctx.deps.layer.setBucketConfig(ctx.endpoint.bucket, LIFECYCLE_CONFIG, null);
  return { status: 204 };
}
