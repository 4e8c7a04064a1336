/**
 * CORS at the front door: preflight OPTIONS is answered from the bucket's CORS configuration
 * before any authentication (browsers send it unsigned), and every response to a request with
 * an Origin header, errors included, carries the matching rule's headers.
 */
import { corsHeadersFor, matchPreflight, splitHeaderList, CORS_DENIED_MESSAGE, type CorsConfig } from "../bucket/index";
import type { ObjectLayer } from "../object/index";
import { setReplyHeader, type Reply } from "../lib/index";
import type { HandlerResult } from "./context";
import { S3Error } from "./errors";
import { decodeText } from "./handlers/common";
import { parseEndpoint, type ParseOptions } from "./router";

/** The bucket config blob holding the validated CorsConfig as JSON. */
export const CORS_CONFIG = "cors";

export async function loadCors(layer: ObjectLayer, bucket: string): Promise<CorsConfig | null> {
  const blob = await layer.getBucketConfig(bucket, CORS_CONFIG);
  return blob ? (JSON.parse(decodeText(blob)) as CorsConfig) : null;
}

export async function preflight(layer: ObjectLayer, url: URL, headers: Headers, opts: ParseOptions): Promise<HandlerResult> {
  const endpoint = parseEndpoint("GET", url, headers, opts);
  const origin = headers.get("origin");
  const method = headers.get("access-control-request-method");
  if (origin === null) throw new S3Error("BadRequest", { message: "Insufficient information. Origin request header needed." });
  if (method === null) throw new S3Error("BadRequest", { message: "Invalid Access-Control-Request-Method: null" });
  const config = "bucket" in endpoint && endpoint.bucket ? await loadCors(layer, endpoint.bucket) : null;
  const allowed = config && matchPreflight(config, { origin, method, requestHeaders: splitHeaderList(headers.get("access-control-request-headers")) });
  if (!allowed) throw new S3Error("AccessForbidden", { message: CORS_DENIED_MESSAGE });
  return { headers: allowed };
}

/** Adds the CORS headers for `bucket` to a finished response; a lookup failure adds none. */
export async function addCorsHeaders(res: Reply, layer: ObjectLayer, req: { origin: string | null; method: string; bucket?: string }): Promise<Reply> {
  if (req.origin === null || !req.bucket) return res;
  const config = await loadCors(layer, req.bucket).catch(() => null);
  if (!config) return res;
  for (const [k, v] of Object.entries(corsHeadersFor(config, { origin: req.origin, method: req.method }))) setReplyHeader(res, k, v);
  return res;
}
