/**
 * Canned ACLs as policy grants, and "is this policy public?" (GetBucketPolicyStatus) as AWS
 * defines it: an Allow grant is public unless it goes to fixed principals or is pinned by a
 * condition on a fixed value of one of a few keys (source IP ranges, source ARN/VPC/account, …).
 */
import { bucketArn, objectArn } from "./actions";
import { AUTHENTICATED_PRINCIPAL } from "./evaluate";
import type { Policy, Statement } from "./policy";
import { hasWildcard } from "./wildcard";

export const CANNED_ACLS = ["private", "public-read", "public-read-write", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control", "aws-exec-read", "log-delivery-write"] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

export function isCannedAcl(s: string): s is CannedAcl {
  return (CANNED_ACLS as readonly string[]).includes(s);
}

function grant(principal: string, actions: string[], resources: string[]): Statement {
  return { effect: "Allow", principal: { AWS: [principal] }, action: actions, resource: resources, condition: [] };
}

/**
 * The grants a canned ACL adds beyond the owner's own access. For a bucket ACL READ lets the
 * grantee list the bucket and WRITE lets it create/overwrite/delete objects; for an object ACL
 * READ lets the grantee read that object. Owner-only ACLs add nothing.
 */
export function cannedAclPolicy(acl: CannedAcl, target: { bucket: string; key?: string }): Policy {
  const readActions = target.key === undefined ? ["s3:ListBucket", "s3:ListBucketVersions"] : ["s3:GetObject", "s3:GetObjectVersion"];
  const resource = target.key === undefined ? bucketArn(target.bucket) : objectArn(target.bucket, target.key);
  const statements: Statement[] = [];
  if (acl === "public-read" || acl === "public-read-write") statements.push(grant("*", readActions, [resource]));
  if (acl === "authenticated-read") statements.push(grant(AUTHENTICATED_PRINCIPAL, readActions, [resource]));
  if (acl === "public-read-write" && target.key === undefined) {
    statements.push(grant("*", ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], [objectArn(target.bucket, "*")]));
  }
  return { version: "2012-10-17", statements };
}

/** Condition keys whose fixed values make a grant non-public (AWS "The meaning of public"). */
const PINNING_KEYS = new Set(["aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:sourceaccount", "aws:principalorgid", "s3:x-amz-server-side-encryption-aws-kms-key-id", "aws:userid"]);
const PINNING_OPERATORS = new Set(["StringEquals", "StringEqualsIgnoreCase", "ArnEquals", "StringLike", "ArnLike", "IpAddress"]);

function pinned(stmt: Statement): boolean {
  return stmt.condition.some((c) => {
    if (!PINNING_KEYS.has(c.key) || c.qualifier === "ForAllValues" || c.ifExists) return false;
    if (!PINNING_OPERATORS.has(c.base)) return false;
    // A /0 range is every address; a wildcard is not a fixed value.
    if (c.base === "IpAddress") return c.values.every((v) => !/\/0$/.test(v.trim()));
    return c.values.every((v) => !hasWildcard(v));
  });
}

function publicPrincipal(stmt: Statement): boolean {
  if (stmt.notPrincipal) return true;
  const ids = Object.values(stmt.principal ?? {}).flat();
  return ids.some((p) => p === AUTHENTICATED_PRINCIPAL || hasWildcard(p));
}

/** GetBucketPolicyStatus `IsPublic`. */
export function isPolicyPublic(policy: Policy): boolean {
  return policy.statements.some((s) => s.effect === "Allow" && publicPrincipal(s) && !pinned(s));
}
