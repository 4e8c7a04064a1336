/** Verification of SigV4: the Authorization header and presigned URLs. */
import { AuthError } from "./errors";
import { MAX_SKEW_MS, secretFor, type Authenticated, type VerifyContext } from "./context";
import { constantTimeEqual } from "./crypto";
import {
  canonicalRequest,
  formatAmzDate,
  parseAmzDate,
  parseAuthorizationV4,
  parseCredential,
  scopeString,
  signatureHex,
  signingKey,
  stringToSign,
  V4_ALGORITHM,
  type ParsedCredential,
} from "./sigv4";
import type { AuthRequest, QueriedRequest, SecretLookup } from "./types";
import type { RequestQuery } from "../lib/index";

export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
/** A week: the longest a presigned V4 URL may live. */
export const MAX_PRESIGN_EXPIRES = 604800;

function checkScope(cred: ParsedCredential, amzDate: string, ctx: VerifyContext, code: "AuthorizationHeaderMalformed" | "AuthorizationQueryParametersError"): void {
  const { scope } = cred;
  if (scope.date !== amzDate.slice(0, 8)) {
    throw new AuthError(code, `Invalid credential date "${scope.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  if (scope.service !== ctx.service) {
    throw new AuthError(code, `The authorization header is malformed; incorrect service "${scope.service}". This endpoint belongs to "${ctx.service}".`);
  }
  if (ctx.region !== undefined && scope.region !== ctx.region) {
    throw new AuthError(code, `The authorization header is malformed; the region '${scope.region}' is wrong; expecting '${ctx.region}'`);
  }
}

function requestDate(headers: Headers): { amzDate: string; date: Date } {
  const amz = headers.get("x-amz-date");
  if (amz !== null) {
    const date = parseAmzDate(amz);
    if (date) return { amzDate: amz, date };
  } else {
    // SigV4 permits the plain Date header; the string to sign still uses the basic format.
    const plain = headers.get("date");
    const t = plain === null ? NaN : Date.parse(plain);
    if (!Number.isNaN(t)) {
      const date = new Date(t);
      return { amzDate: formatAmzDate(date), date };
    }
  }
  throw new AuthError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
}

/** Verifies `Authorization: AWS4-HMAC-SHA256 …`. */
export async function verifyV4Header(req: AuthRequest, header: string, lookup: SecretLookup, ctx: VerifyContext): Promise<Authenticated> {
  const parsed = parseAuthorizationV4(header);
  if (!parsed.signedHeaders.includes("host")) {
    throw new AuthError("AuthorizationHeaderMalformed", "The authorization header is malformed; the host header must be signed.");
  }
  const { amzDate, date } = requestDate(req.headers);
  checkScope(parsed.credential, amzDate, ctx, "AuthorizationHeaderMalformed");
  if (Math.abs(ctx.now.getTime() - date.getTime()) > MAX_SKEW_MS) {
    throw new AuthError("RequestTimeTooSkewed", "The difference between the request time and the server's time is too large.");
  }
  const payloadHash = req.headers.get("x-amz-content-sha256");
  if (payloadHash === null) {
    throw new AuthError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  const secret = await secretFor(lookup, parsed.credential.accessKey);
  const key = signingKey(secret, parsed.credential.scope);
  const { method, url, query, headers } = req;
  const canonical = canonicalRequest({ method, url, query, headers, signedHeaders: parsed.signedHeaders, payloadHash });
  const expected = canonical === null ? "" : signatureHex(key, stringToSign(amzDate, parsed.credential.scope, canonical));
  if (!constantTimeEqual(expected, parsed.signature)) {
    throw new AuthError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
  }
  return {
    accessKey: parsed.credential.accessKey,
    signature: "v4",
    payloadHash,
    chunkSigning: { key, amzDate, scope: scopeString(parsed.credential.scope), seedSignature: expected },
  };
}

const REQUIRED_QUERY = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"] as const;

function queryError(message: string): AuthError {
  return new AuthError("AuthorizationQueryParametersError", message);
}

function presignedParams(q: RequestQuery): Record<(typeof REQUIRED_QUERY)[number], string> {
  const out = {} as Record<(typeof REQUIRED_QUERY)[number], string>;
  for (const name of REQUIRED_QUERY) {
    const value = q.get(name);
    if (value === null) {
      throw queryError("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
    }
    out[name] = value;
  }
  if (out["X-Amz-Algorithm"] !== V4_ALGORITHM) throw queryError(`X-Amz-Algorithm only supports "${V4_ALGORITHM}"`);
  return out;
}

function checkValidity(date: Date, expiresText: string, now: Date): void {
  if (!/^-?\d+$/.test(expiresText)) throw queryError("X-Amz-Expires should be a number");
  const expires = Number(expiresText);
  if (expires < 0) throw queryError("X-Amz-Expires must be non-negative");
  if (expires > MAX_PRESIGN_EXPIRES) throw queryError(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_EXPIRES}`);
  if (date.getTime() - now.getTime() > MAX_SKEW_MS) throw new AuthError("AccessDenied", "Request is not valid yet");
  if (now.getTime() > date.getTime() + expires * 1000) throw new AuthError("AccessDenied", "Request has expired");
}

/** The AWS SDK hoists x-amz-* headers into the query, keeping their lower-case names. */
function presignedPayloadHash(q: RequestQuery): string | null {
  for (const p of q.params) if (p.key.length === 20 && p.key.toLowerCase() === "x-amz-content-sha256") return p.value;
  return null;
}

/** Verifies a presigned V4 URL (`X-Amz-Algorithm=AWS4-HMAC-SHA256&…`). */
export async function verifyV4Presigned(req: QueriedRequest, lookup: SecretLookup, ctx: VerifyContext): Promise<Authenticated> {
  const q = req.query;
  const p = presignedParams(q);
  const cred = parseCredential(p["X-Amz-Credential"], "AuthorizationQueryParametersError");
  const amzDate = p["X-Amz-Date"];
  const date = parseAmzDate(amzDate);
  if (!date) throw queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  checkScope(cred, amzDate, ctx, "AuthorizationQueryParametersError");
  checkValidity(date, p["X-Amz-Expires"], ctx.now);
  const signedHeaders = p["X-Amz-SignedHeaders"].split(";").map((h) => h.trim().toLowerCase());
  if (!signedHeaders.includes("host")) throw queryError("X-Amz-SignedHeaders must include host");
  const payloadHash = presignedPayloadHash(q) ?? req.headers.get("x-amz-content-sha256") ?? UNSIGNED_PAYLOAD;
  const secret = await secretFor(lookup, cred.accessKey);
  const key = signingKey(secret, cred.scope);
  const { method, url, query, headers } = req;
  const canonical = canonicalRequest({ method, url, query, headers, signedHeaders, payloadHash, excludeQueryKey: "X-Amz-Signature" });
  const expected = canonical === null ? "" : signatureHex(key, stringToSign(amzDate, cred.scope, canonical));
  if (!constantTimeEqual(expected, p["X-Amz-Signature"])) {
    throw new AuthError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
  }
  return { accessKey: cred.accessKey, signature: "v4-presigned", payloadHash, chunkSigning: null };
}
