/**
 * Builds the condition context of one S3 request from plain request facts, so every handler
 * names the keys the same way (a typo here would silently make a Condition never match).
 */
import type { ConditionContext } from "./conditions";

export interface RequestFacts {
  sourceIp?: string;
  secureTransport: boolean;
  userAgent?: string;
  referer?: string;
  now: Date;
  /** The authenticated user's name and id; absent for anonymous requests. */
  username?: string;
  userId?: string;
  /** List requests: prefix, delimiter, max-keys as sent. */
  prefix?: string;
  delimiter?: string;
  maxKeys?: string;
  /** Request headers (lower-case names) that have condition keys: x-amz-acl, x-amz-copy-source, … */
  headers?: Readonly<Record<string, string | undefined>>;
  versionId?: string;
  /** Tags of the existing object (GET/tagging/… on an existing version). */
  existingObjectTags?: Readonly<Record<string, string>>;
  /** Tags the request sets (x-amz-tagging, PutObjectTagging). */
  requestObjectTags?: Readonly<Record<string, string>>;
  signatureVersion?: "AWS" | "AWS4-HMAC-SHA256";
  authType?: "REST-HEADER" | "REST-QUERY-STRING" | "POST";
}

const HEADER_KEYS = [
  "x-amz-acl", "x-amz-copy-source", "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
  "x-amz-grant-write-acp", "x-amz-grant-full-control", "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-metadata-directive", "x-amz-storage-class",
  "x-amz-content-sha256",
];
const LOCK_HEADERS: Record<string, string> = {
  "x-amz-object-lock-mode": "s3:object-lock-mode",
  "x-amz-object-lock-retain-until-date": "s3:object-lock-retain-until-date",
  "x-amz-object-lock-legal-hold": "s3:object-lock-legal-hold",
};

function put(ctx: Record<string, string | string[]>, key: string, value: string | string[] | undefined): void {
  if (value !== undefined) ctx[key] = value;
}

export function requestContext(f: RequestFacts): ConditionContext {
  const ctx: Record<string, string | string[]> = {
    "aws:securetransport": String(f.secureTransport),
    "aws:currenttime": f.now.toISOString(),
    "aws:epochtime": String(Math.floor(f.now.getTime() / 1000)),
  };
  put(ctx, "aws:sourceip", f.sourceIp);
  put(ctx, "aws:useragent", f.userAgent);
  put(ctx, "aws:referer", f.referer);
  put(ctx, "aws:username", f.username);
  put(ctx, "aws:userid", f.userId);
  put(ctx, "s3:prefix", f.prefix);
  put(ctx, "s3:delimiter", f.delimiter);
  put(ctx, "s3:max-keys", f.maxKeys);
  put(ctx, "s3:versionid", f.versionId);
  put(ctx, "s3:signatureversion", f.signatureVersion);
  put(ctx, "s3:authtype", f.authType);
  for (const h of HEADER_KEYS) put(ctx, `s3:${h}`, f.headers?.[h]);
  for (const [h, key] of Object.entries(LOCK_HEADERS)) put(ctx, key, f.headers?.[h]);
  for (const [k, v] of Object.entries(f.existingObjectTags ?? {})) ctx[`s3:existingobjecttag/${k}`] = v;
  for (const [k, v] of Object.entries(f.requestObjectTags ?? {})) ctx[`s3:requestobjecttag/${k}`] = v;
  if (f.requestObjectTags) ctx["s3:requestobjecttagkeys"] = Object.keys(f.requestObjectTags);
  return ctx;
}
