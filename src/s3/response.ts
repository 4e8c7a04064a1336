/**
 * The one serializer: every success and every error leaves through here, with the request id,
 * host id and Server headers S3 clients expect. HEAD answers never carry a body.
 */
import { releaseChunk } from "../lib/index";
import type { HandlerResult } from "./context";
import { S3_ERRORS, type S3Error } from "./errors";
import { buildXml } from "./xml/index";

export interface ResponseMeta {
  requestId: string;
  method: string;
  /** The request path, reported as `<Resource>` in error bodies. */
  resource: string;
}

function baseHeaders(meta: ResponseMeta): Headers {
  const h = new Headers();
  h.set("x-amz-request-id", meta.requestId);
  h.set("x-amz-id-2", Buffer.from(`cairn/${meta.requestId}`).toString("base64"));
  h.set("server", "Cairn");
  return h;
}

/** Bodies up to this size are read before the answer starts (see serialize). */
export const BUFFERED_BODY_MAX = 256 * 1024;

export async function serialize(result: HandlerResult, meta: ResponseMeta): Promise<Response> {
  const headers = baseHeaders(meta);
  for (const [k, v] of Object.entries(result.headers ?? {})) headers.set(k, v);
  const status = result.status ?? 200;
  const body = result.body;
  if (meta.method === "HEAD" || body === undefined) {
    if (body?.kind === "stream") void body.stream.cancel().catch(() => {});
    if (body === undefined && !headers.has("content-length") && status !== 204 && status !== 304) {
      headers.set("content-length", "0");
    }
    return new Response(null, { status, headers });
  }
  if (body.kind === "bytes") return new Response(body.bytes, { status, headers });
  if (body.kind === "stream") {
    // Small bodies are read here, so a read that fails still becomes an S3 error answer; larger
    // ones stream (the listener keeps their Content-Length). Buffering 1 MiB bodies cost two
    // fresh copies, and page faults on fresh memory were half of a 1 MiB GET's CPU.
    const length = Number(headers.get("content-length") ?? Number.NaN);
    if (length <= BUFFERED_BODY_MAX) return new Response(await readAll(body.stream, length), { status, headers });
    return new Response(body.stream, { status, headers });
  }
  const text = buildXml(body.root, body.value, body.xmlns);
  headers.set("content-type", "application/xml");
  return new Response(text, { status, headers });
}

export function serializeError(err: S3Error, meta: ResponseMeta): Response {
  const headers = baseHeaders(meta);
  for (const [k, v] of Object.entries(err.headers)) headers.set(k, v);
  if (err.status === 304) return new Response(null, { status: 304, headers });
  headers.set("x-amz-error-code", err.code);
  // Internal detail stays in the logs; 5xx bodies carry only the table's text. 501 is ours to explain.
  const message = err.status >= 500 && err.code !== "NotImplemented" ? S3_ERRORS[err.code][1] : err.message;
  if (meta.method === "HEAD") return new Response(null, { status: err.status, headers });
  const value: Record<string, string | undefined> = {
    Code: err.code,
    Message: message,
    Key: err.key,
    BucketName: err.key === undefined ? err.bucket : undefined,
    ...err.fields,
    Resource: meta.resource,
    RequestId: meta.requestId,
    HostId: headers.get("x-amz-id-2") ?? "",
  };
  headers.set("content-type", "application/xml");
  return new Response(buildXml("Error", value, null), { status: err.status, headers });
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
