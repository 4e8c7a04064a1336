/** Bucket operations: list, create, head, delete, location, versioning. */
import { describeBucketNameProblem, validateBucketName } from "../../lib/index";
import type { BucketOp, Endpoint } from "../router";
import { xml, type Handler, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import { decodeUtf8, parseXml, readBodyBytes, schemas } from "../xml/index";
import { cannedAclHeader, storeBucketAcl } from "./acl";
import { enableObjectLock, lockConfigOf } from "./object-lock";
import { OWNER, isoDate, setVersioning, versioningOf } from "./common";

type BucketCtx<Op extends BucketOp> = S3Context<Extract<Endpoint, { op: Op }>>;

export const listBuckets: Handler<{ op: "ListBuckets" }> = async (ctx) => {
  const buckets = await ctx.deps.layer.listBuckets();
  return xml("ListAllMyBucketsResult", {
    Owner: { ...OWNER },
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: isoDate(b.created) })) },
  });
};

export async function createBucket(ctx: BucketCtx<"CreateBucket">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const problem = validateBucketName(bucket);
  if (problem) throw new S3Error("InvalidBucketName", { bucket, message: describeBucketNameProblem(problem) });
  const text = decodeUtf8(await readBodyBytes(ctx.auth.body));
  if (text.trim() !== "") {
    const cfg = parseXml(text, "CreateBucketConfiguration", schemas.createBucketConfiguration);
    const loc = cfg.LocationConstraint ?? "";
    // "us-east-1" (legacy alias "US") is the implicit default clients send to any endpoint.
    if (loc !== "" && loc !== ctx.deps.region && loc !== "us-east-1" && loc !== "US") {
      throw new S3Error("IllegalLocationConstraintException", { bucket });
    }
  }
  const objectLock = (ctx.headers.get("x-amz-bucket-object-lock-enabled") ?? "").toLowerCase() === "true";
  const acl = cannedAclHeader(ctx.headers);
  await ctx.deps.layer.makeBucket(bucket, { objectLock });
  if (objectLock) await enableObjectLock(ctx.deps.layer, bucket);
  if (acl !== undefined) await storeBucketAcl(ctx, acl);
  return { headers: { location: `/${bucket}` } };
}

export async function headBucket(ctx: BucketCtx<"HeadBucket">): Promise<HandlerResult> {
  await ctx.deps.layer.getBucketInfo(ctx.endpoint.bucket);
  return { headers: { "x-amz-bucket-region": ctx.deps.region } };
}

export async function deleteBucket(ctx: BucketCtx<"DeleteBucket">): Promise<HandlerResult> {
  await ctx.deps.layer.deleteBucket(ctx.endpoint.bucket);
  return { status: 204 };
}

export async function getBucketLocation(ctx: BucketCtx<"GetBucketLocation">): Promise<HandlerResult> {
  await ctx.deps.layer.getBucketInfo(ctx.endpoint.bucket);
  // AWS reports the default region as an empty constraint.
  const region = ctx.deps.region === "us-east-1" ? "" : ctx.deps.region;
  return xml("LocationConstraint", region);
}

export async function getBucketVersioning(ctx: BucketCtx<"GetBucketVersioning">): Promise<HandlerResult> {
  const state = await versioningOf(ctx.deps.layer, ctx.endpoint.bucket);
  const Status = state === "enabled" ? "Enabled" : state === "suspended" ? "Suspended" : undefined;
  return xml("VersioningConfiguration", Status ? { Status } : {});
}

export async function putBucketVersioning(ctx: BucketCtx<"PutBucketVersioning">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const text = decodeUtf8(await readBodyBytes(ctx.auth.body));
  const cfg = parseXml(text, "VersioningConfiguration", schemas.versioningConfiguration);
  if (cfg.MfaDelete === "Enabled") throw new S3Error("NotImplemented", { bucket, message: "MFA Delete is not supported." });
  await ctx.deps.layer.getBucketInfo(bucket);
  if (cfg.Status === "Suspended" && (await lockConfigOf(ctx.deps.layer, bucket))) {
    throw new S3Error("InvalidBucketState", { bucket, message: "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed." });
  }
  if (cfg.Status) await setVersioning(ctx.deps.layer, bucket, cfg.Status === "Enabled" ? "enabled" : "suspended");
  return {};
}
