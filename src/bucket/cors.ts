/**
 * Bucket CORS: the CORSConfiguration model (validated as AWS does) and the two decisions the S3
 * layer needs: answer a preflight OPTIONS, and add CORS headers to an actual response. The first
 * rule that matches origin, method and (for preflight) every requested header wins.
 */
import { z } from "zod";
import { BucketConfigError } from "./errors";
import { element, integer, list, malformedXml, parseShape, text } from "./xml";

export const CORS_METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"] as const;
export type CorsMethod = (typeof CORS_METHODS)[number];
export const MAX_CORS_RULES = 100;

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: CorsMethod[];
  /** Lower-cased; may contain one `*`. */
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export interface CorsConfig {
  rules: CorsRule[];
}

const ruleShape = element({
  ID: text.optional(),
  AllowedOrigin: list(text),
  AllowedMethod: list(text),
  AllowedHeader: list(text).optional(),
  ExposeHeader: list(text).optional(),
  MaxAgeSeconds: integer.optional(),
});
const configShape = element({ CORSRule: list(ruleShape) });

function invalid(message: string): BucketConfigError {
  return new BucketConfigError("InvalidRequest", message);
}

function checkRule(raw: z.output<typeof ruleShape>): CorsRule {
  if (raw.AllowedOrigin.length === 0 || raw.AllowedMethod.length === 0) throw malformedXml();
  for (const m of raw.AllowedMethod) {
    if (!(CORS_METHODS as readonly string[]).includes(m)) throw invalid(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
  }
  for (const o of raw.AllowedOrigin) if (o.split("*").length > 2) throw invalid(`AllowedOrigin "${o}" can not have more than one wildcard.`);
  for (const h of raw.AllowedHeader ?? []) if (h.split("*").length > 2) throw invalid(`AllowedHeader "${h}" can not have more than one wildcard.`);
  if (raw.ID !== undefined && raw.ID.length > 255) throw new BucketConfigError("InvalidArgument", "The ID of a CORS rule must be at most 255 characters long.");
  if (raw.MaxAgeSeconds !== undefined && raw.MaxAgeSeconds < 0) throw malformedXml();
  return {
    ...(raw.ID !== undefined ? { id: raw.ID } : {}),
    allowedOrigins: raw.AllowedOrigin,
    allowedMethods: raw.AllowedMethod as CorsMethod[],
    allowedHeaders: (raw.AllowedHeader ?? []).map((h) => h.toLowerCase()),
    exposeHeaders: raw.ExposeHeader ?? [],
    ...(raw.MaxAgeSeconds !== undefined ? { maxAgeSeconds: raw.MaxAgeSeconds } : {}),
  };
}

/** Validate the parsed `<CORSConfiguration>` element. Throws BucketConfigError. */
export function parseCorsConfiguration(root: unknown): CorsConfig {
  const raw = parseShape(configShape, root);
  if (raw.CORSRule.length === 0) throw malformedXml();
  if (raw.CORSRule.length > MAX_CORS_RULES) throw invalid(`The number of CORS rules should not exceed allowed limit of ${MAX_CORS_RULES} rules.`);
  return { rules: raw.CORSRule.map(checkRule) };
}

/** The plain object the XML builder turns back into `<CORSConfiguration>` (GetBucketCors). */
export function corsConfigurationXml(config: CorsConfig): { CORSRule: Record<string, unknown>[] } {
  return {
    CORSRule: config.rules.map((r) => ({
      ...(r.id !== undefined ? { ID: r.id } : {}),
      AllowedHeader: r.allowedHeaders,
      AllowedMethod: r.allowedMethods,
      AllowedOrigin: r.allowedOrigins,
      ExposeHeader: r.exposeHeaders,
      ...(r.maxAgeSeconds !== undefined ? { MaxAgeSeconds: String(r.maxAgeSeconds) } : {}),
    })),
  };
}

/** One `*` wildcard, anywhere; no other special characters (so no RegExp from user input). */
function matchOneWildcard(pattern: string, value: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

function ruleMatches(rule: CorsRule, origin: string, method: string): boolean {
  return rule.allowedMethods.includes(method as CorsMethod) && rule.allowedOrigins.some((o) => matchOneWildcard(o, origin));
}

export const CORS_DENIED_MESSAGE = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

const VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

function baseHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const wildcard = rule.allowedOrigins.includes("*");
  const h: Record<string, string> = {
    // A rule that allows every origin answers `*`; credentials may not accompany `*`.
    "access-control-allow-origin": wildcard ? "*" : origin,
    "access-control-allow-methods": rule.allowedMethods.join(", "),
    vary: VARY,
  };
  if (!wildcard) h["access-control-allow-credentials"] = "true";
  if (rule.exposeHeaders.length > 0) h["access-control-expose-headers"] = rule.exposeHeaders.join(", ");
  if (rule.maxAgeSeconds !== undefined) h["access-control-max-age"] = String(rule.maxAgeSeconds);
  return h;
}

export interface PreflightRequest {
  origin: string;
  /** Access-Control-Request-Method. */
  method: string;
  /** Access-Control-Request-Headers, split on commas. */
  requestHeaders?: readonly string[];
}

/**
 * Headers for a 200 preflight answer, or null: the S3 layer then answers 403 AccessForbidden
 * with CORS_DENIED_MESSAGE.
 */
export function matchPreflight(config: CorsConfig, req: PreflightRequest): Record<string, string> | null {
  const asked = (req.requestHeaders ?? []).map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
  for (const rule of config.rules) {
    if (!ruleMatches(rule, req.origin, req.method)) continue;
    if (!asked.every((h) => rule.allowedHeaders.some((p) => matchOneWildcard(p, h)))) continue;
    const h = baseHeaders(rule, req.origin);
    if (asked.length > 0) h["access-control-allow-headers"] = asked.join(", ");
    return h;
  }
  return null;
}

/** Split an `Access-Control-Request-Headers` value. */
export function splitHeaderList(value: string | null | undefined): string[] {
  return (value ?? "").split(",").map((h) => h.trim()).filter((h) => h !== "");
}

/**
 * CORS headers for an actual (non-preflight) response to a request with an Origin header.
 * With no matching rule only `Vary` is set: caches must still key on Origin.
 */
export function corsHeadersFor(config: CorsConfig, req: { origin: string; method: string }): Record<string, string> {
  const rule = config.rules.find((r) => ruleMatches(r, req.origin, req.method));
  return rule ? baseHeaders(rule, req.origin) : { vary: VARY };
}
