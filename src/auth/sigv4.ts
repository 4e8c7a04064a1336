/** SigV4 building blocks: scope, signing key, canonical request, string to sign, parsing. */
import { AuthError } from "./errors";
import { canonicalHeaders, canonicalQuery, canonicalUri } from "./canonical";
import { RequestQuery } from "../lib/index";
import { hmacSha256, hmacSha256Hex, sha256Hex } from "./crypto";

export const V4_ALGORITHM = "AWS4-HMAC-SHA256";

export interface CredentialScope {
  /** yyyymmdd */
  date: string;
  region: string;
  service: string;
}

export function scopeString(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

/** Signing keys change once a day per (secret, region, service): cache them, bounded. */
const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, Uint8Array>();

export function signingKey(secret: string, scope: CredentialScope): Uint8Array {
  const cacheKey = `${scopeString(scope)}\u0000${secret}`;
  const hit = keyCache.get(cacheKey);
  if (hit) return hit;
  const kDate = hmacSha256("AWS4" + secret, scope.date);
  const kRegion = hmacSha256(kDate, scope.region);
  const kService = hmacSha256(kRegion, scope.service);
  const key = hmacSha256(kService, "aws4_request");
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(cacheKey, key);
  return key;
}

export interface CanonicalRequestInput {
  method: string;
  url: URL;
  /** `url`'s query when already parsed. */
  query?: RequestQuery;
  headers: Headers;
  /** Lower-case names, sorted. */
  signedHeaders: readonly string[];
  payloadHash: string;
  /** Query key left out of the canonical query (X-Amz-Signature for presigned URLs). */
  excludeQueryKey?: string;
}

/** Returns null when a signed header is absent from the request. */
export function canonicalRequest(input: CanonicalRequestInput): string | null {
  const headerBlock = canonicalHeaders(input.headers, input.signedHeaders, input.url);
  if (headerBlock === null) return null;
  return [
    input.method.toUpperCase(),
    canonicalUri(input.url.pathname),
    canonicalQuery((input.query ?? new RequestQuery(input.url.search)).params, input.excludeQueryKey),
    headerBlock,
    input.signedHeaders.join(";"),
    input.payloadHash,
  ].join("\n");
}

export function stringToSign(amzDate: string, scope: CredentialScope, canonical: string): string {
  return `${V4_ALGORITHM}\n${amzDate}\n${scopeString(scope)}\n${sha256Hex(canonical)}`;
}

export function signatureHex(key: Uint8Array, toSign: string): string {
  return hmacSha256Hex(key, toSign);
}

/** The decimal number in value[from, from + length), or NaN if any of it is not a digit. */
function digitsAt(value: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/** Parses ISO 8601 basic format (20130524T000000Z); null when malformed. Runs per request: no regex. */
export function parseAmzDate(value: string): Date | null {
  if (value.length !== 16 || value[8] !== "T" || value[15] !== "Z") return null;
  const t = Date.UTC(
    digitsAt(value, 0, 4),
    digitsAt(value, 4, 2) - 1,
    digitsAt(value, 6, 2),
    digitsAt(value, 9, 2),
    digitsAt(value, 11, 2),
    digitsAt(value, 13, 2),
  );
  return Number.isNaN(t) ? null : new Date(t);
}

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export interface ParsedCredential {
  accessKey: string;
  scope: CredentialScope;
}

/** The last credential parsed (a client signs with the same one all day); frozen, so shareable. */
let lastCredential: { value: string; parsed: ParsedCredential } | null = null;

/** `AKID/yyyymmdd/region/service/aws4_request`; access keys may themselves contain '/'. */
export function parseCredential(value: string, errorCode: "AuthorizationHeaderMalformed" | "AuthorizationQueryParametersError"): ParsedCredential {
  if (lastCredential?.value === value) return lastCredential.parsed;
  const parsed = parseCredentialText(value, errorCode);
  lastCredential = { value, parsed };
  return parsed;
}

function parseCredentialText(value: string, errorCode: "AuthorizationHeaderMalformed" | "AuthorizationQueryParametersError"): ParsedCredential {
  const parts = value.split("/");
  if (parts.length < 5 || parts[parts.length - 1] !== "aws4_request") {
    throw new AuthError(errorCode, `The credential '${value}' is malformed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  const [date, region, service] = parts.slice(-4) as [string, string, string];
  const accessKey = parts.slice(0, -4).join("/");
  if (accessKey === "" || !/^\d{8}$/.test(date) || region === "" || service === "") {
    throw new AuthError(errorCode, `The credential '${value}' is malformed.`);
  }
  return Object.freeze({ accessKey, scope: Object.freeze({ date, region, service }) });
}

export interface ParsedAuthorizationV4 {
  credential: ParsedCredential;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export function parseAuthorizationV4(header: string): ParsedAuthorizationV4 {
  const malformed = (why: string) => new AuthError("AuthorizationHeaderMalformed", why);
  const rest = header.slice(V4_ALGORITHM.length).trim();
  const fields = new Map<string, string>();
  for (const part of rest.split(",")) {
    const p = part.trim();
    const eq = p.indexOf("=");
    if (eq <= 0) throw malformed(`The authorization header is malformed; '${p}' is not a key=value pair.`);
    fields.set(p.slice(0, eq), p.slice(eq + 1));
  }
  const cred = fields.get("Credential");
  const signed = fields.get("SignedHeaders");
  const sig = fields.get("Signature");
  if (cred === undefined) throw malformed("The authorization header is malformed; missing Credential.");
  if (signed === undefined) throw malformed("The authorization header is malformed; missing SignedHeaders.");
  if (sig === undefined) throw malformed("The authorization header is malformed; missing Signature.");
  return {
    credential: parseCredential(cred, "AuthorizationHeaderMalformed"),
    signedHeaders: signed.split(";").map((h) => h.trim().toLowerCase()),
    signature: sig,
  };
}
