/** Signature Version 2 (legacy clients): `Authorization: AWS AKID:sig` and presigned V2 URLs. */
import { AuthError } from "./errors";
import { MAX_SKEW_MS, secretFor, type Authenticated, type VerifyContext } from "./context";
import { constantTimeEqual, hmacSha1Base64 } from "./crypto";
import { canonicalHeaderValue, uriEncodePath } from "./canonical";
import { parseQuery, percentDecode } from "../lib/index";
import type { AuthRequest, QueriedRequest, SecretLookup } from "./types";

/** Query parameters that are part of SigV2's canonical resource (S3's sub-resource list). */
export const V2_SUBRESOURCES: ReadonlySet<string> = new Set([
  "acl", "cors", "delete", "encryption", "legal-hold", "lifecycle", "location", "logging",
  "notification", "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
  "response-content-disposition", "response-content-encoding", "response-content-language",
  "response-content-type", "response-expires", "restore", "retention", "select", "select-type",
  "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
]);

/** `x-amz-*` headers, lower-cased, sorted, `name:value\n` each. */
function canonicalAmzHeaders(headers: Headers): string {
  const names: string[] = [];
  headers.forEach((_, name) => {
    if (name.startsWith("x-amz-")) names.push(name);
  });
  names.sort();
  // Values are taken whole: `Headers` joins repeated headers with ", ", indistinguishable from a
  // value that contains a comma (x-amz-date: "Wed, 25 Nov …"), so nothing is rewritten there.
  return names.map((n) => `${n}:${canonicalHeaderValue(headers.get(n) ?? "")}\n`).join("");
}

function subresourceSuffix(rawQuery: string): string {
  const subs = parseQuery(rawQuery).filter((p) => V2_SUBRESOURCES.has(p.key));
  subs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (subs.length === 0) return "";
  return "?" + subs.map((p) => (p.value === "" ? p.key : `${p.key}=${p.value}`)).join("&");
}

/**
 * Candidate canonical resources. Clients disagree on how they encode the path they sign
 * (as sent, decoded, or re-encoded), so each spelling is tried.
 */
function canonicalResources(req: AuthRequest, ctx: VerifyContext): string[] {
  const prefix = ctx.virtualHostBucket === undefined ? "" : `/${ctx.virtualHostBucket}`;
  const raw = req.url.pathname || "/";
  const decoded = percentDecode(raw);
  const suffix = subresourceSuffix(req.url.search);
  const spellings = new Set([raw, decoded, uriEncodePath(decoded)]);
  return [...spellings].map((path) => prefix + path + suffix);
}

export interface V2StringToSignInput {
  method: string;
  headers: Headers;
  /** The Date header, the Expires parameter for presigned URLs, or "" when x-amz-date is sent. */
  dateOrExpires: string;
  resource: string;
}

export function v2StringToSign(input: V2StringToSignInput): string {
  const h = input.headers;
  return [
    input.method.toUpperCase(),
    h.get("content-md5") ?? "",
    h.get("content-type") ?? "",
    input.dateOrExpires,
    canonicalAmzHeaders(h) + input.resource,
  ].join("\n");
}

function matchesAny(req: AuthRequest, ctx: VerifyContext, sign: { secret: string; dateOrExpires: string; signature: string }): boolean {
  let ok = false;
  for (const resource of canonicalResources(req, ctx)) {
    const expected = hmacSha1Base64(sign.secret, v2StringToSign({ method: req.method, headers: req.headers, dateOrExpires: sign.dateOrExpires, resource }));
    // No early exit: every candidate is computed and compared in constant time.
    if (constantTimeEqual(expected, sign.signature)) ok = true;
  }
  return ok;
}

const SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

/** Verifies `Authorization: AWS AKID:base64(hmac-sha1)`. */
export async function verifyV2Header(req: AuthRequest, header: string, lookup: SecretLookup, ctx: VerifyContext): Promise<Authenticated> {
  const cred = header.slice(4).trim();
  const colon = cred.lastIndexOf(":");
  if (colon <= 0 || colon === cred.length - 1) {
    throw new AuthError("InvalidArgument", "AWS authorization header is invalid. Expected AwsAccessKeyId:signature");
  }
  const accessKey = cred.slice(0, colon);
  const amzDate = req.headers.get("x-amz-date");
  const dateText = amzDate ?? req.headers.get("date");
  const t = dateText === null ? NaN : Date.parse(dateText);
  if (Number.isNaN(t)) throw new AuthError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  if (Math.abs(ctx.now.getTime() - t) > MAX_SKEW_MS) {
    throw new AuthError("RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.");
  }
  const secret = await secretFor(lookup, accessKey);
  // With x-amz-date, the Date line is empty: x-amz-date is signed among the amz headers.
  const dateOrExpires = amzDate === null ? (req.headers.get("date") ?? "") : "";
  if (!matchesAny(req, ctx, { secret, dateOrExpires, signature: cred.slice(colon + 1) })) {
    throw new AuthError("SignatureDoesNotMatch", SIGNATURE_MISMATCH);
  }
  return { accessKey, signature: "v2", payloadHash: null, chunkSigning: null };
}

/** Verifies a presigned V2 URL (`AWSAccessKeyId`, `Expires`, `Signature`). */
export async function verifyV2Presigned(req: QueriedRequest, lookup: SecretLookup, ctx: VerifyContext): Promise<Authenticated> {
  const q = req.query;
  const accessKey = q.get("AWSAccessKeyId");
  const expires = q.get("Expires");
  // A '+' in base64 arrives as a space when the client did not percent-encode it.
  const signature = q.get("Signature")?.replace(/ /g, "+");
  if (!accessKey || !expires || !signature) {
    throw new AuthError("AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
  }
  if (!/^\d+$/.test(expires)) throw new AuthError("AccessDenied", "Invalid date (should be seconds since epoch): " + expires);
  if (ctx.now.getTime() > Number(expires) * 1000) throw new AuthError("AccessDenied", "Request has expired");
  const secret = await secretFor(lookup, accessKey);
  if (!matchesAny(req, ctx, { secret, dateOrExpires: expires, signature })) {
    throw new AuthError("SignatureDoesNotMatch", SIGNATURE_MISMATCH);
  }
  return { accessKey, signature: "v2-presigned", payloadHash: null, chunkSigning: null };
}
