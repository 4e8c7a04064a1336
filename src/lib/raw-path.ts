/**
 * WHATWG URL parsing (inside `new Request`/`new URL`) removes `.` and `..` path segments, also
 * when sent as `%2e`: `/bucket/a/../b` would reach the S3 front as key `b`, signed by the client
 * as `a/../b`. The HTTP listener passes such a raw path on in an internal header (always
 * overwriting anything a client sent), and the S3 front reads keys from it, so these keys get
 * their proper InvalidObjectName answer instead of a signature mismatch.
 */
export const RAW_PATH_HEADER = "x-cairn-raw-path";

const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:\/|$)/i;

/** The raw request-target's path when URL parsing would change it, else null. */
export function rawPathToKeep(target: string): string | null {
  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  return DOT_SEGMENT.test(path) ? path : null;
}

/** `url` with its `pathname` replaced by the raw path from the header, when there is one. */
export function urlWithRawPath(url: URL, headers: Headers): URL {
  const raw = headers.get(RAW_PATH_HEADER);
  if (raw === null) return url;
  // An own property shadows URL.prototype's normalizing getter; everything else stays as parsed.
  return Object.defineProperty(url, "pathname", { value: raw, enumerable: true });
}
