/** Bucket policy: Put/Get/Delete (stored as sent, validated by iam) and GetBucketPolicyStatus. */
import { MAX_BUCKET_POLICY_BYTES, isPolicyPublic, parsePolicy } from "../../iam/index";
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import type { Endpoint } from "../router";
import { readBodyBytes } from "../xml/index";
import { POLICY_CONFIG } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

async function storedPolicy(ctx: S3Context & { endpoint: { bucket: string } }): Promise<Uint8Array> {
  const { bucket } = ctx.endpoint;
  const blob = await ctx.deps.layer.getBucketConfig(bucket, POLICY_CONFIG);
  if (!blob) throw new S3Error("NoSuchBucketPolicy", { bucket });
  return blob;
}

export async function getBucketPolicy(ctx: Ctx<"GetBucketPolicy">): Promise<HandlerResult> {
  const blob = await storedPolicy(ctx);
  return {
    headers: { "content-type": "application/json", "content-length": String(blob.byteLength) },
    body: { kind: "stream", stream: new Blob([blob]).stream() },
  };
}

export async function putBucketPolicy(ctx: Ctx<"PutBucketPolicy">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  await ctx.deps.layer.getBucketInfo(bucket);
  // One byte over the limit is enough for parsePolicy to answer "too large" in AWS's words.
  const body = await readBodyBytes(ctx.auth.body, MAX_BUCKET_POLICY_BYTES + 1).catch((cause: unknown) => {
    throw new S3Error("MalformedPolicy", { message: "Policies must not exceed 20 KB in length", cause });
  });
  parsePolicy(body, { kind: "bucket", bucket });
  await ctx.deps.layer.setBucketConfig(bucket, POLICY_CONFIG, body);
  return { status: 204 };
}

export async function deleteBucketPolicy(ctx: Ctx<"DeleteBucketPolicy">): Promise<HandlerResult> {
  await ctx.deps.layer.setBucketConfig(ctx.endpoint.bucket, POLICY_CONFIG, null);
  return { status: 204 };
}

/**
 * `IsPublic` is lower-case `true`/`false` although AWS's API reference shows `TRUE`: botocore
 * (boto3, AWS CLI) reads a boolean as `text == 'true'`, so `TRUE` would be false there; the JS
 * SDK lower-cases before comparing and takes either. boto3 and the CLI report `true` against
 * AWS, which botocore's parser can only get from lower-case text.
 */
export async function getBucketPolicyStatus(ctx: Ctx<"GetBucketPolicyStatus">): Promise<HandlerResult> {
  const policy = parsePolicy(await storedPolicy(ctx), { kind: "bucket", bucket: ctx.endpoint.bucket });
  return xml("PolicyStatus", { IsPublic: isPolicyPublic(policy) ? "true" : "false" });
}
