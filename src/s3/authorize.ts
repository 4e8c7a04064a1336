/**
 * Access decisions for requests that are not the root's. An anonymous request is allowed
 * exactly when the bucket's policy (plus the grants of its canned ACLs) allows it and nothing
 * denies it; every other outcome is AccessDenied. Root is always allowed (single-tenant until
 * IAM users exist), so the dispatcher calls this only for anonymous requests.
 */
import {
  OPERATION_ACTIONS,
  authorizationTarget,
  cannedAclPolicy,
  evaluate,
  isCannedAcl,
  parsePolicy,
  type ConditionContext,
  type Policy,
  type S3Operation,
} from "../iam/index";
import { ObjectError, type ObjectLayer } from "../object/index";
import { S3Error } from "./errors";
import { ACL_CONFIG, ACL_META, POLICY_CONFIG, decodeText } from "./handlers/common";
import type { Endpoint } from "./router";

export interface AccessRequest {
  endpoint: Endpoint;
  url: URL;
  headers: Headers;
  remoteAddress?: string;
}

function isOperation(op: string): op is S3Operation {
  return Object.hasOwn(OPERATION_ACTIONS, op);
}

/** The stored policy and the bucket's canned ACL grants, as one list to evaluate together. */
export async function bucketPolicies(layer: ObjectLayer, bucket: string): Promise<Policy[]> {
  const [policy, acl] = await Promise.all([layer.getBucketConfig(bucket, POLICY_CONFIG), layer.getBucketConfig(bucket, ACL_CONFIG)]);
  const out: Policy[] = [];
  if (policy) out.push(parsePolicy(policy, { kind: "bucket", bucket }));
  const canned = acl ? decodeText(acl) : "";
  if (isCannedAcl(canned)) out.push(cannedAclPolicy(canned, { bucket }));
  return out;
}

/** Throws AccessDenied unless the bucket's policy lets an anonymous caller do this. */
export async function authorizeAnonymous(layer: ObjectLayer, req: AccessRequest): Promise<void> {
  const { endpoint } = req;
  if (!("bucket" in endpoint) || endpoint.bucket === undefined || !isOperation(endpoint.op)) throw new S3Error("AccessDenied");
  const bucket = endpoint.bucket;
  const key = "key" in endpoint ? endpoint.key : undefined;
  const versionId = req.url.searchParams.get("versionId") ?? undefined;
  // DeleteObjects names its keys in the body: only a grant over every key of the bucket covers it.
  const resourceKey = endpoint.op === "DeleteObjects" ? "*" : key;
  const target = authorizationTarget(endpoint.op, { bucket, key: resourceKey, versionId });
  // A missing bucket is AccessDenied too: anonymous callers do not learn which buckets exist.
  const policies = await bucketPolicies(layer, bucket).catch((e: unknown) => {
    if (e instanceof ObjectError && e.kind === "BucketNotFound") throw new S3Error("AccessDenied");
    throw e;
  });
  const decision = evaluate(policies, { principal: "*", ...target, context: conditionContext(req) });
  if (decision === "Allow") return;
  if (decision === "Default" && key !== undefined && (await objectAclAllows(layer, endpoint.op, { bucket, key, versionId }))) return;
  throw new S3Error("AccessDenied");
}

/** A `public-read` object ACL lets anyone read that object (and nothing else). */
async function objectAclAllows(
  layer: ObjectLayer,
  op: S3Operation,
  obj: { bucket: string; key: string; versionId?: string },
): Promise<boolean> {
  if (op !== "GetObject" && op !== "HeadObject") return false;
  const info = await layer.statObject(obj.bucket, obj.key, { versionId: obj.versionId }).catch(() => null);
  const acl = info?.metadata.system?.[ACL_META] ?? "";
  if (!isCannedAcl(acl)) return false;
  const target = authorizationTarget(op, obj);
  return evaluate(cannedAclPolicy(acl, obj), { principal: "*", ...target }) === "Allow";
}

/** The condition keys a bucket policy may test, from the request as received. */
export function conditionContext(req: AccessRequest): ConditionContext {
  const q = req.url.searchParams;
  const h = req.headers;
  const now = new Date();
  const sourceIp = req.remoteAddress?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
  const ctx: Record<string, string | undefined> = {
    "aws:SecureTransport": req.url.protocol === "https:" ? "true" : "false",
    "aws:SourceIp": sourceIp,
    "aws:CurrentTime": now.toISOString(),
    "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
    "aws:UserAgent": h.get("user-agent") ?? undefined,
    "aws:Referer": h.get("referer") ?? undefined,
    "s3:prefix": q.get("prefix") ?? undefined,
    "s3:delimiter": q.get("delimiter") ?? undefined,
    "s3:max-keys": q.get("max-keys") ?? undefined,
    "s3:versionid": q.get("versionId") ?? undefined,
    "s3:x-amz-acl": h.get("x-amz-acl") ?? undefined,
    "s3:x-amz-copy-source": h.get("x-amz-copy-source") ?? undefined,
    "s3:x-amz-metadata-directive": h.get("x-amz-metadata-directive") ?? undefined,
    "s3:x-amz-server-side-encryption": h.get("x-amz-server-side-encryption") ?? undefined,
    "s3:x-amz-storage-class": h.get("x-amz-storage-class") ?? undefined,
    "s3:x-amz-content-sha256": h.get("x-amz-content-sha256") ?? undefined,
    "s3:signatureversion": undefined,
  };
  return ctx;
}
