/**
 * Object lock: the bucket's ObjectLockConfiguration, per-version retention and legal hold, and
 * the lock a new version gets from `x-amz-object-lock-*` headers or the default retention.
 * Deletion of a locked version is refused by the object layer under the key's lock.
 */
import { z } from "zod";
import {
  checkRetentionChange,
  LOCK_META,
  lockForNewVersion,
  lockStateFromMeta,
  lockStateToMeta,
  objectLockConfigurationXml,
  parseLegalHold,
  parseObjectLockConfiguration,
  parseRetention,
  retentionXml,
  type ObjectLockConfig,
} from "../../bucket/index";
import type { ObjectLayer } from "../../object/index";
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import type { Endpoint } from "../router";
import { decodeUtf8, parseXml, readBodyBytes, type XmlValue } from "../xml/index";
import { decodeText, encodeText, setVersioning, versionHeader, versioningOf } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

/** The bucket config blob holding the validated ObjectLockConfig as JSON. */
export const OBJECT_LOCK_CONFIG = "object-lock";

export async function lockConfigOf(layer: ObjectLayer, bucket: string): Promise<ObjectLockConfig | undefined> {
  const blob = await layer.getBucketConfig(bucket, OBJECT_LOCK_CONFIG);
  return blob ? (JSON.parse(decodeText(blob)) as ObjectLockConfig) : undefined;
}

/** CreateBucket with `x-amz-bucket-object-lock-enabled: true`: lock on, versioning on for good. */
export async function enableObjectLock(layer: ObjectLayer, bucket: string): Promise<void> {
  await setVersioning(layer, bucket, "enabled");
  await layer.setBucketConfig(bucket, OBJECT_LOCK_CONFIG, encodeText(JSON.stringify({ enabled: true })));
}

/** System metadata for a version being written: explicit lock headers, else the default retention. */
export async function newVersionLockMeta(layer: ObjectLayer, bucket: string, headers: Headers): Promise<Record<string, string>> {
  const get = (n: string) => headers.get(n) ?? undefined;
  const lockHeaders = { mode: get("x-amz-object-lock-mode"), retainUntilDate: get("x-amz-object-lock-retain-until-date"), legalHold: get("x-amz-object-lock-legal-hold") };
  const state = lockForNewVersion(await lockConfigOf(layer, bucket), lockHeaders, new Date());
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(lockStateToMeta(state))) if (v !== null) out[k] = v;
  return out;
}

/**
 * A copy never inherits its source's lock (as MinIO and AWS): the copy request's lock headers or
 * the destination's default retention decide. The source's system entries minus the lock ones.
 */
export function withoutLock(system: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out = { ...system };
  for (const name of Object.values(LOCK_META)) delete out[name];
  return out;
}

async function rootOf(ctx: S3Context, root: string): Promise<unknown> {
  return parseXml(decodeUtf8(await readBodyBytes(ctx.auth.body)), root, z.unknown());
}

function bypass(ctx: S3Context): boolean {
  return (ctx.headers.get("x-amz-bypass-governance-retention") ?? "").toLowerCase() === "true";
}

function versionIdOf(ctx: S3Context): string | undefined {
  return ctx.query.get("versionId") ?? undefined;
}

async function requireLock(layer: ObjectLayer, bucket: string): Promise<ObjectLockConfig> {
  const config = await lockConfigOf(layer, bucket);
  if (!config?.enabled) throw new S3Error("InvalidRequest", { bucket, message: "Bucket is missing Object Lock Configuration" });
  return config;
}

export async function getObjectLockConfiguration(ctx: Ctx<"GetObjectLockConfiguration">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const config = await lockConfigOf(ctx.deps.layer, bucket);
  if (!config) throw new S3Error("ObjectLockConfigurationNotFoundError", { bucket });
  return xml("ObjectLockConfiguration", objectLockConfigurationXml(config) as Record<string, XmlValue>);
}

export async function putObjectLockConfiguration(ctx: Ctx<"PutObjectLockConfiguration">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const { layer } = ctx.deps;
  const config = parseObjectLockConfiguration(await rootOf(ctx, "ObjectLockConfiguration"));
  // AWS lets lock be turned on later only for a bucket whose versioning is enabled.
  if (!(await lockConfigOf(layer, bucket)) && (await versioningOf(layer, bucket)) !== "enabled") {
    throw new S3Error("InvalidBucketState", { bucket, message: "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration" });
  }
  await layer.setBucketConfig(bucket, OBJECT_LOCK_CONFIG, encodeText(JSON.stringify(config)));
  return {};
}

export async function getObjectRetention(ctx: Ctx<"GetObjectRetention">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  await requireLock(ctx.deps.layer, bucket);
  const info = await ctx.deps.layer.statObject(bucket, key, { versionId: versionIdOf(ctx) });
  const { retention } = lockStateFromMeta(info.metadata.system);
  if (!retention) throw new S3Error("NoSuchObjectLockConfiguration", { bucket, key });
  return xml("Retention", retentionXml(retention), { headers: versionHeader(info.versionId) });
}

export async function putObjectRetention(ctx: Ctx<"PutObjectRetention">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const { layer } = ctx.deps;
  await requireLock(layer, bucket);
  const now = new Date();
  const next = parseRetention(await rootOf(ctx, "Retention"), now);
  const versionId = versionIdOf(ctx);
  const current = lockStateFromMeta((await layer.statObject(bucket, key, { versionId })).metadata.system);
  const check = checkRetentionChange(current.retention, next, { bypassGovernance: bypass(ctx), now });
  if (!check.ok) throw check.error;
  const meta = lockStateToMeta({ ...(next ? { retention: next } : {}), legalHold: current.legalHold });
  const info = await layer.updateObjectMetadata(bucket, key, { "x-amz-object-lock-mode": meta["x-amz-object-lock-mode"] ?? null, "x-amz-object-lock-retain-until-date": meta["x-amz-object-lock-retain-until-date"] ?? null }, { versionId });
  return { headers: versionHeader(info.versionId) };
}

export async function getObjectLegalHold(ctx: Ctx<"GetObjectLegalHold">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  await requireLock(ctx.deps.layer, bucket);
  const info = await ctx.deps.layer.statObject(bucket, key, { versionId: versionIdOf(ctx) });
  return xml("LegalHold", { Status: lockStateFromMeta(info.metadata.system).legalHold ? "ON" : "OFF" }, { headers: versionHeader(info.versionId) });
}

export async function putObjectLegalHold(ctx: Ctx<"PutObjectLegalHold">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  await requireLock(ctx.deps.layer, bucket);
  const on = parseLegalHold(await rootOf(ctx, "LegalHold"));
  const info = await ctx.deps.layer.updateObjectMetadata(bucket, key, { "x-amz-object-lock-legal-hold": on ? "ON" : null }, { versionId: versionIdOf(ctx) });
  return { headers: versionHeader(info.versionId) };
}
