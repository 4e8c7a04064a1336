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
  requestContext,
} from "../iam/index";
import { ObjectError, type ObjectLayer } from "../object/index";
import type { RequestQuery } from "../lib/index";
import { S3Error } from "./errors";
import { ACL_CONFIG, ACL_META, POLICY_CONFIG, decodeText } from "./handlers/common";
import type { Endpoint } from "./router";

export interface AccessRequest {
  endpoint: Endpoint;
  url: URL;
  /** `url`'s query, parsed once (lib/query.ts). */
  query: RequestQuery;
  headers: Headers;
  remoteAddress?: string;
}

function isOperation(op: string): op is S3Operation {
  return Object.hasOwn(OPERATION_ACTIONS, op);
}

/**
 * Parsed policies by the stored bytes they were parsed from. The layer hands back the same bytes
 * until the bucket's config changes (then new ones), so a policy is parsed once per version of
 * it, not on every anonymous request (parsing was 40% of a public GET's CPU).
 */
const parsedPolicies = new WeakMap<Uint8Array, { bucket: string; policy: Policy }>();

function parsedPolicy(stored: Uint8Array, bucket: string): Policy {
  const hit = parsedPolicies.get(stored);
  if (hit?.bucket === bucket) return hit.policy;
  const policy = parsePolicy(stored, { kind: "bucket", bucket });
  parsedPolicies.set(stored, { bucket, policy });
  return policy;
}

/** The stored policy and the bucket's canned ACL grants, as one list to evaluate together. */
export async function bucketPolicies(layer: ObjectLayer, bucket: string): Promise<Policy[]> {
  const [policy, acl] = await Promise.all([layer.getBucketConfig(bucket, POLICY_CONFIG), layer.getBucketConfig(bucket, ACL_CONFIG)]);
  const out: Policy[] = [];
  if (policy) out.push(parsedPolicy(policy, bucket));
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
  const versionId = req.query.get("versionId") ?? undefined;
  // DeleteObjects names its keys in the body: only a grant over every key of the bucket covers it.
  const resourceKey = endpoint.op === "DeleteObjects" ? "*" : key;
  const target = authorizationTarget(endpoint.op, { bucket, key: resourceKey, versionId });
  // A missing bucket is AccessDenied too: anonymous callers do not learn which buckets exist.
  const policies = await bucketPolicies(layer, bucket).catch((e: unknown) => {
    if (e instanceof ObjectError && e.kind === "BucketNotFound") throw new S3Error("AccessDenied");
    throw e;
  });
  const decision = evaluate(policies, { principal: "*", ...target, context: () => conditionContext(req) });
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

/** The condition keys a bucket policy may test, from the request as received (named by iam's requestContext). */
export function conditionContext(req: AccessRequest): ConditionContext {
  const q = req.query;
  const h = req.headers;
  return requestContext({
    secureTransport: req.url.protocol === "https:",
    sourceIp: req.remoteAddress?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1"),
    now: new Date(),
    userAgent: h.get("user-agent") ?? undefined,
    referer: h.get("referer") ?? undefined,
    prefix: q.get("prefix") ?? undefined,
    delimiter: q.get("delimiter") ?? undefined,
    maxKeys: q.get("max-keys") ?? undefined,
    versionId: q.get("versionId") ?? undefined,
    headers: Object.fromEntries(h),
  });
}
