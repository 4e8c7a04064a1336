/**
 * Browser-based uploads (POST Object with a form): the policy document's signature (SigV4 or
 * SigV2) and its conditions. The S3 layer parses the multipart form and passes the fields that
 * precede the file; it checks the file's size with `checkContentLength` once it has streamed it.
 */
import { AuthError } from "./errors";
import { secretFor, type VerifyContext } from "./context";
import { constantTimeEqual, hmacSha1Base64 } from "./crypto";
import { parseAmzDate, parseCredential, signatureHex, signingKey, V4_ALGORITHM } from "./sigv4";
import type { SecretLookup, VerifyOptions } from "./types";

export interface VerifiedPost {
  /** null: the form carries no signature (allowed only where the bucket policy allows it). */
  accessKey: string | null;
  signature: "v4" | "v2" | "anonymous";
  contentLengthRange: { min: number; max: number } | null;
  /** Throws EntityTooSmall / EntityTooLarge when the file is outside content-length-range. */
  checkContentLength(size: number): void;
}

/** Form fields never listed in policy conditions (AWS: signature, file, policy, x-ignore-*). */
const EXEMPT = new Set(["x-amz-signature", "signature", "awsaccesskeyid", "file", "policy"]);

function denied(why: string): AuthError {
  return new AuthError("AccessDenied", `Invalid according to Policy: ${why}`);
}

function lowerCaseFields(fields: Iterable<[string, string]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of fields) if (!out.has(k.toLowerCase())) out.set(k.toLowerCase(), v);
  return out;
}

async function verifyPolicySignature(form: Map<string, string>, policy: string, lookup: SecretLookup, ctx: VerifyContext): Promise<{ accessKey: string; signature: "v4" | "v2" }> {
  const mismatch = () => new AuthError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
  const v4sig = form.get("x-amz-signature");
  if (v4sig !== undefined) {
    if (form.get("x-amz-algorithm") !== V4_ALGORITHM) throw new AuthError("InvalidArgument", `X-Amz-Algorithm only supports "${V4_ALGORITHM}"`);
    const cred = parseCredential(form.get("x-amz-credential") ?? "", "AuthorizationQueryParametersError");
    const amzDate = form.get("x-amz-date") ?? "";
    if (!parseAmzDate(amzDate) || amzDate.slice(0, 8) !== cred.scope.date) throw new AuthError("InvalidArgument", "X-Amz-Date is missing or does not match the credential date");
    if (ctx.region !== undefined && cred.scope.region !== ctx.region) throw new AuthError("AuthorizationQueryParametersError", `the region '${cred.scope.region}' is wrong; expecting '${ctx.region}'`);
    const secret = await secretFor(lookup, cred.accessKey);
    if (!constantTimeEqual(signatureHex(signingKey(secret, cred.scope), policy), v4sig)) throw mismatch();
    return { accessKey: cred.accessKey, signature: "v4" };
  }
  const accessKey = form.get("awsaccesskeyid");
  const v2sig = form.get("signature");
  if (accessKey === undefined || v2sig === undefined) throw new AuthError("InvalidArgument", "POST requires x-amz-signature (SigV4) or AWSAccessKeyId and signature (SigV2)");
  const secret = await secretFor(lookup, accessKey);
  if (!constantTimeEqual(hmacSha1Base64(secret, policy), v2sig)) throw mismatch();
  return { accessKey, signature: "v2" };
}

type Condition = unknown[] | Record<string, unknown>;

function decodePolicy(policy: string): { expiration: Date; conditions: Condition[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(policy, "base64").toString("utf8"));
  } catch {
    throw new AuthError("InvalidPolicyDocument", "Invalid Policy: Invalid JSON.");
  }
  const d = doc as { expiration?: unknown; conditions?: unknown };
  const expiration = typeof d.expiration === "string" ? new Date(d.expiration) : null;
  if (!expiration || Number.isNaN(expiration.getTime())) throw new AuthError("InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.");
  if (!Array.isArray(d.conditions)) throw new AuthError("InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.");
  return { expiration, conditions: d.conditions as Condition[] };
}

interface Evaluation {
  form: Map<string, string>;
  bucket: string;
  covered: Set<string>;
  range: { min: number; max: number } | null;
}

function fieldValue(ev: Evaluation, name: string): string | undefined {
  return name === "bucket" ? ev.bucket : ev.form.get(name);
}

function checkMatch(ev: Evaluation, op: string, rawName: unknown, expected: unknown): void {
  if (typeof rawName !== "string" || typeof expected !== "string") throw new AuthError("InvalidPolicyDocument", "Invalid Policy: Invalid condition.");
  const name = rawName.replace(/^\$/, "").toLowerCase();
  ev.covered.add(name);
  const actual = fieldValue(ev, name) ?? "";
  // Content-Type may list several types; each must satisfy a starts-with.
  const values = op === "starts-with" && name === "content-type" ? actual.split(",").map((v) => v.trim()) : [actual];
  const ok = values.every((v) => (op === "eq" ? v === expected : v.startsWith(expected)));
  if (!ok) throw denied(`Policy Condition failed: ["${op}", "$${name}", "${expected}"]`);
}

function applyCondition(ev: Evaluation, c: Condition): void {
  if (!Array.isArray(c)) {
    for (const [name, value] of Object.entries(c)) checkMatch(ev, "eq", name, value);
    return;
  }
  const [op, a, b] = c;
  const operator = typeof op === "string" ? op.toLowerCase() : "";
  if (operator === "content-length-range") {
    const min = Number(a);
    const max = Number(b);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw new AuthError("InvalidPolicyDocument", "Invalid Policy: Invalid content-length-range.");
    ev.range = { min, max };
    return;
  }
  if (operator !== "eq" && operator !== "starts-with") throw new AuthError("InvalidPolicyDocument", `Invalid Policy: Unknown condition ${String(op)}.`);
  checkMatch(ev, operator, a, b);
}

/** Verifies the form's policy signature, expiry and every condition against the form fields. */
export async function verifyPostPolicy(
  fields: Iterable<[string, string]>,
  bucket: string,
  lookup: SecretLookup,
  opts: VerifyOptions = {},
): Promise<VerifiedPost> {
  const ctx: VerifyContext = { now: opts.now ?? new Date(), region: opts.region, service: opts.service ?? "s3", virtualHostBucket: undefined };
  const form = lowerCaseFields(fields);
  const policy = form.get("policy");
  if (policy === undefined) {
    if (form.has("x-amz-signature") || form.has("signature")) throw new AuthError("InvalidArgument", "Bucket POST must contain a field named 'policy'.");
    return { accessKey: null, signature: "anonymous", contentLengthRange: null, checkContentLength: () => {} };
  }
  const auth = await verifyPolicySignature(form, policy, lookup, ctx);
  const { expiration, conditions } = decodePolicy(policy);
  if (ctx.now.getTime() > expiration.getTime()) throw denied("Policy expired.");
  const ev: Evaluation = { form, bucket, covered: new Set(), range: null };
  for (const c of conditions) applyCondition(ev, c);
  for (const name of form.keys()) {
    if (!EXEMPT.has(name) && !name.startsWith("x-ignore-") && !ev.covered.has(name)) throw denied(`Extra input fields: ${name}`);
  }
  const range = ev.range;
  return {
    ...auth,
    contentLengthRange: range,
    checkContentLength(size: number) {
      if (range && size < range.min) throw new AuthError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size");
      if (range && size > range.max) throw new AuthError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
    },
  };
}
