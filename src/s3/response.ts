/**
 * The one serializer: every success and every error leaves through here, with the request id,
 * host id and Server headers S3 clients expect. HEAD answers never carry a body.
 */
import { plainReply, releaseChunk, type PlainReply, type Reply } from "../lib/index";
import type { HandlerResult } from "./context";
import { S3_ERRORS, type S3Error } from "./errors";
import { isHeaderValue } from "./headers";
import { buildXml } from "./xml/index";

export interface ResponseMeta {
  requestId: string;
  method: string;
  /** The request path, reported as `<Resource>` in error bodies. */
  resource: string;
}

/**
 * Headers are gathered in a plain record: the listener writes a PlainReply's record as it is,
 * and a streamed Response takes it in one go (a Headers object costs a native call per set).
 */
type HeaderRecord = Record<string, string>;

function baseHeaders(meta: ResponseMeta, extra: Record<string, string> | undefined): HeaderRecord {
  const h: HeaderRecord = { "x-amz-request-id": meta.requestId, "x-amz-id-2": btoa(`cairn/${meta.requestId}`), server: "Cairn" };
  if (!extra) return h;
  for (const k in extra) {
    const v = extra[k]!;
    // The listener writes these as they are: a value HTTP cannot carry must fail here, as an S3
    // error, not as a half-written answer on the socket.
    if (!isHeaderValue(v)) throw new Error(`response header ${k} has a character HTTP cannot carry`);
    h[k.toLowerCase()] = v;
  }
  return h;
}

/** Bodies up to this size are read before the answer starts (see serialize). */
export const BUFFERED_BODY_MAX = 256 * 1024;

export async function serialize(result: HandlerResult, meta: ResponseMeta): Promise<Reply> {
  const body = result.body;
  let headers: HeaderRecord;
  try {
    headers = baseHeaders(meta, result.headers);
  } catch (e) {
    if (body?.kind === "stream") void body.stream.cancel().catch(() => {});
    throw e;
  }
  const status = result.status ?? 200;
  if (meta.method === "HEAD" || body === undefined) {
    if (body?.kind === "stream") void body.stream.cancel().catch(() => {});
    if (body === undefined && headers["content-length"] === undefined && status !== 204 && status !== 304) {
      headers["content-length"] = "0";
    }
    return plainReply(status, headers, null);
  }
  if (body.kind === "bytes") return plainReply(status, headers, body.bytes);
  if (body.kind === "stream") {
    // Small bodies are read here, so a read that fails still becomes an S3 error answer; larger
    // ones stream (the listener keeps their Content-Length). Buffering 1 MiB bodies cost two
    // fresh copies, and page faults on fresh memory were half of a 1 MiB GET's CPU.
    const length = Number(headers["content-length"] ?? Number.NaN);
    if (length <= BUFFERED_BODY_MAX) return plainReply(status, headers, await readAll(body.stream, length));
    return new Response(body.stream, { status, headers });
  }
  const text = body.kind === "xmlText" ? body.text : buildXml(body.root, body.value, body.xmlns);
  headers["content-type"] = "application/xml";
  return plainReply(status, headers, text);
}

export function serializeError(err: S3Error, meta: ResponseMeta): PlainReply {
  const headers = baseHeaders(meta, err.headers);
  if (err.status === 304) return plainReply(304, headers, null);
  headers["x-amz-error-code"] = err.code;
  // Internal detail stays in the logs; 5xx bodies carry only the table's text. 501 is ours to explain.
  const message = err.status >= 500 && err.code !== "NotImplemented" ? S3_ERRORS[err.code][1] : err.message;
  if (meta.method === "HEAD") return plainReply(err.status, headers, null);
  const value: Record<string, string | undefined> = {
    Code: err.code,
    Message: message,
    Key: err.key,
    BucketName: err.key === undefined ? err.bucket : undefined,
    ...err.fields,
    Resource: meta.resource,
    RequestId: meta.requestId,
    HostId: headers["x-amz-id-2"],
  };
  headers["content-type"] = "application/xml";
  return plainReply(err.status, headers, buildXml("Error", value, null));
}

/** Reads a stream of known small length; a short or long stream is an internal error. */
async function readAll(stream: ReadableStream<Uint8Array>, length: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for await (const chunk of stream) {
    if (at + chunk.byteLength > length) throw new Error(`body longer than its declared ${length} bytes`);
    chunks.push(chunk);
    at += chunk.byteLength;
  }
  if (at !== length) throw new Error(`body ended after ${at} of ${length} bytes`);
  // One chunk (an inline object, a one-block range) is the body as it is; more are joined once,
  // after which the chunks are done with (pooled ones go back).
  if (chunks.length === 1) return chunks[0]!;
  const joined = Buffer.concat(chunks, length);
  for (const c of chunks) releaseChunk(c);
  return joined;
}
