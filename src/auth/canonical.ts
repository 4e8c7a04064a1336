/**
 * Canonical forms for SigV4 (and the pieces SigV2 shares): URI encoding exactly as AWS
 * specifies it, canonical query strings and canonical headers.
 */
import { percentDecode, type QueryParam } from "../lib/index";

const RESERVED_BY_ENCODE_URI_COMPONENT = /[!'()*]/g;

function percent(c: string): string {
  return "%" + c.charCodeAt(0).toString(16).toUpperCase();
}

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;
const UNRESERVED_PATH = /^[A-Za-z0-9\-_.~/]*$/;

/** AWS UriEncode: every byte except A-Z a-z 0-9 - _ . ~ is %XX (uppercase), '/' included. */
export function uriEncode(value: string): string {
  // Most query names and values need no encoding: one test instead of encode + replace.
  if (UNRESERVED.test(value)) return value;
  try {
    return encodeURIComponent(value).replace(RESERVED_BY_ENCODE_URI_COMPONENT, percent);
  } catch {
    // Lone surrogates cannot be UTF-8 encoded; such a string cannot have been signed either.
    return value;
  }
}

/** AWS UriEncode for an S3 object path: like `uriEncode` but '/' stays literal. */
export function uriEncodePath(value: string): string {
  return uriEncode(value).replace(/%2F/g, "/");
}

/**
 * S3's canonical URI: the path decoded once and encoded once. S3 does not double-encode
 * (unlike other services), and does not normalise `.`/`..` segments or repeated slashes.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === "") return "/";
  if (UNRESERVED_PATH.test(rawPath)) return rawPath;
  return uriEncodePath(percentDecode(rawPath));
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical query string: encoded pairs sorted by key then value; `exclude` drops a key. */
export function canonicalQuery(params: readonly QueryParam[], exclude?: string): string {
  const encoded: [string, string][] = [];
  for (const p of params) {
    if (p.key === exclude) continue;
    encoded.push([uriEncode(p.key), uriEncode(p.value)]);
  }
  encoded.sort((a, b) => compareCodeUnits(a[0], b[0]) || compareCodeUnits(a[1], b[1]));
  return encoded.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Trims and collapses runs of spaces, as the canonical header rules require. */
export function canonicalHeaderValue(value: string): string {
  const trimmed = value.trim();
  // The common case has nothing to collapse; skip the replace (hot: runs per signed header).
  return /\s\s|[\t\n\r]/.test(trimmed) ? trimmed.replace(/\s+/g, " ") : trimmed;
}

/**
 * Looks up a signed header's value. Proxies and HTTP stacks may drop `host` (kept in the URL)
 * or `expect` (consumed by the server after sending 100 Continue); both are reconstructed.
 */
export function signedHeaderValue(headers: Headers, name: string, url: URL): string | null {
  const value = headers.get(name);
  if (value !== null) return value;
  if (name === "host") return url.host;
  if (name === "expect") return "100-continue";
  return null;
}

/** The canonical headers block (each `name:value\n`) for the given sorted signed header names. */
export function canonicalHeaders(headers: Headers, signed: readonly string[], url: URL): string | null {
  let out = "";
  for (const name of signed) {
    const value = signedHeaderValue(headers, name, url);
    if (value === null) return null;
    out += `${name}:${canonicalHeaderValue(value)}\n`;
  }
  return out;
}
