/** GetObject and HeadObject: the object's headers, ranges, part numbers, overrides. */
import { resolveRange, type ByteRange, type ObjectInfo } from "../../object/index";
import type { HandlerResult, ResultBody, S3Context } from "../context";
import { S3Error } from "../errors";
import { checksumHeaders, conditionsFromHeaders, intParam, isHeaderValue, parseRange, quoteEtag } from "../headers";
import { LOCK_META } from "../../bucket/index";
import type { Endpoint } from "../router";
import { parseTagQuery } from "../tags";
import { httpDate } from "./common";
import { expirationHeaders } from "./lifecycle";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

/** `response-*` query parameters override these response headers (signed requests only). */
const OVERRIDES: readonly (readonly [param: string, header: string])[] = Object.entries({
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
});

const LOCK_HEADER_NAMES = Object.values(LOCK_META);

/** What part of the object the response carries: its checksums only describe the whole (or one part). */
export type Served = { kind: "whole" } | { kind: "range" } | { kind: "part"; partNumber: number };

/** The headers GET and HEAD share, from what is stored, then the request's `response-*` overrides. */
export function objectHeaders(info: ObjectInfo, ctx: S3Context, served: Served, overrides: Record<string, string>): Record<string, string> {
  const md = info.metadata;
  const h: Record<string, string> = {
    "content-type": md.contentType ?? "binary/octet-stream",
    etag: quoteEtag(info.etag),
    "last-modified": httpDate(info.modTime),
    "accept-ranges": "bytes",
  };
  if (info.versionId) h["x-amz-version-id"] = info.versionId;
  if (md.contentEncoding) h["content-encoding"] = md.contentEncoding;
  if (md.contentDisposition) h["content-disposition"] = md.contentDisposition;
  if (md.contentLanguage) h["content-language"] = md.contentLanguage;
  if (md.cacheControl) h["cache-control"] = md.cacheControl;
  if (md.expires) h.expires = md.expires;
  if (info.storageClass && info.storageClass !== "STANDARD") h["x-amz-storage-class"] = info.storageClass;
  for (const [k, v] of Object.entries(md.user)) h[`x-amz-meta-${k}`] = v;
  const tagging = md.system?.tagging;
  if (tagging) h["x-amz-tagging-count"] = String(parseTagQuery(tagging, Number.MAX_SAFE_INTEGER).length);
  // Lock entries are stored under their header names (bucket LOCK_META), so they go out as is.
  for (const name of LOCK_HEADER_NAMES) {
    const v = md.system?.[name];
    if (v !== undefined) h[name] = v;
  }
  if ((ctx.headers.get("x-amz-checksum-mode") ?? "").toUpperCase() === "ENABLED") Object.assign(h, servedChecksums(info, served));
  return Object.assign(h, overrides);
}

function servedChecksums(info: ObjectInfo, served: Served): Record<string, string> {
  if (served.kind === "range") return {};
  if (served.kind === "part") {
    // A single-part object's part 1 is the whole object.
    if (!info.parts || info.parts.length <= 1) return servedChecksums(info, { kind: "whole" });
    return checksumHeaders(info.parts.find((p) => p.partNumber === served.partNumber)?.checksums);
  }
  const h = checksumHeaders(info.checksums);
  if (info.checksumType && Object.keys(h).length > 0) h["x-amz-checksum-type"] = info.checksumType;
  return h;
}

/**
 * The `response-*` overrides as headers, read before the object is opened: a value HTTP cannot
 * carry as a header is InvalidArgument.
 */
function responseOverrides(q: S3Context["query"]): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [param, header] of OVERRIDES) {
    const v = q.get(param);
    if (v === null) continue;
    if (!isHeaderValue(v)) {
      throw new S3Error("InvalidArgument", {
        message: `${param} contains a character an HTTP header cannot carry.`,
        fields: { ArgumentName: param, ArgumentValue: v },
      });
    }
    h[header] = v;
  }
  return h;
}

function readOptions(ctx: S3Context) {
  const q = ctx.query;
  const versionId = q.get("versionId") ?? undefined;
  const partNumber = intParam(q, "partNumber", { min: 1, max: 10000 });
  const range = parseRange(ctx.headers.get("range"));
  if (partNumber !== undefined && range !== undefined) {
    throw new S3Error("InvalidRequest", { message: "Cannot specify both Range header and partNumber query parameter." });
  }
  return { versionId, partNumber, range, conditions: conditionsFromHeaders(ctx.headers) };
}

/** Bytes of the n-th part (1-based position, as GET serves it); the whole object when not multipart. */
function partByteRange(info: ObjectInfo, n: number): ByteRange | undefined {
  const parts = info.parts ?? [];
  if (parts.length <= 1 || n > parts.length) return info.size > 0 ? { start: 0, end: info.size - 1 } : undefined;
  const start = parts.slice(0, n - 1).reduce((sum, p) => sum + p.size, 0);
  return { start, end: start + parts[n - 1]!.size - 1 };
}

function partsCount(info: ObjectInfo, partNumber: number | undefined): Record<string, string> {
  if (partNumber === undefined) return {};
  return { "x-amz-mp-parts-count": String(info.parts?.length ?? 1) };
}

export async function getObject(ctx: Ctx<"GetObject">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const overrides = responseOverrides(ctx.query);
  const opts = readOptions(ctx);
  const res = await ctx.deps.layer.getObject(bucket, key, opts);
  const { info } = res;
  const r = res.range;
  const partial = r !== undefined && (opts.range !== undefined || opts.partNumber !== undefined);
  const served: Served =
    opts.partNumber !== undefined ? { kind: "part", partNumber: opts.partNumber } : partial ? { kind: "range" } : { kind: "whole" };
  // The body is already open: a failure here must release it.
  const expiration = await expirationHeaders(ctx.deps.layer, info).catch(async (e: unknown) => {
    if (!res.bytes) await res.body.cancel();
    throw e;
  });
  const body: ResultBody = res.bytes ? { kind: "bytes", bytes: res.bytes } : { kind: "stream", stream: res.body };
  const h = Object.assign(objectHeaders(info, ctx, served, overrides), partsCount(info, opts.partNumber), expiration);
  if (partial) {
    h["content-range"] = `bytes ${r.start}-${r.end}/${info.size}`;
    h["content-length"] = String(r.end - r.start + 1);
    return { status: 206, headers: h, body };
  }
  h["content-length"] = String(r ? r.end - r.start + 1 : info.size);
  return { headers: h, body };
}

export async function headObject(ctx: Ctx<"HeadObject">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const overrides = responseOverrides(ctx.query);
  const opts = readOptions(ctx);
  const info = await ctx.deps.layer.statObject(bucket, key, {
    versionId: opts.versionId,
    partNumber: opts.partNumber,
    conditions: opts.conditions,
  });
  const served: Served =
    opts.partNumber !== undefined
      ? { kind: "part", partNumber: opts.partNumber }
      : opts.range !== undefined
        ? { kind: "range" }
        : { kind: "whole" };
  const h = Object.assign(objectHeaders(info, ctx, served, overrides), partsCount(info, opts.partNumber), await expirationHeaders(ctx.deps.layer, info));
  // HEAD with partNumber or Range answers as GET would, minus the body.
  const r = opts.partNumber !== undefined ? partByteRange(info, opts.partNumber) : resolveRange(opts.range, info.size);
  if (r) {
    h["content-range"] = `bytes ${r.start}-${r.end}/${info.size}`;
    h["content-length"] = String(r.end - r.start + 1);
    return { status: 206, headers: h };
  }
  h["content-length"] = String(info.size);
  return { headers: h };
}
