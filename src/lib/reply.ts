/**
 * What passes between the listener and the S3 front, as plain data where it can be.
 *
 * A PlainReply is a finished answer: building a Response copies every header into native code,
 * and the listener then copied them back out and read the body again; for a small GET that
 * round trip was a tenth of the request's CPU. The S3 front answers with one whenever the body
 * is already in memory; streamed bodies stay Responses.
 */
export interface PlainReply {
  readonly plain: true;
  status: number;
  /** Lower-case names. Content-Length is set whenever there is a body. */
  headers: Record<string, string>;
  body: Uint8Array | null;
}

export type Reply = Response | PlainReply;

const encoder = new TextEncoder();

/** A reply with `body` (a string is sent as UTF-8); sets Content-Length when there is a body. */
export function plainReply(status: number, headers: Record<string, string>, body: Uint8Array | string | null): PlainReply {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  if (bytes !== null) headers["content-length"] = String(bytes.byteLength);
  return { plain: true, status, headers, body: bytes };
}

export function isPlainReply(r: Reply): r is PlainReply {
  return (r as PlainReply).plain === true;
}

export function replyHeader(r: Reply, name: string): string | null {
  return isPlainReply(r) ? (r.headers[name] ?? null) : r.headers.get(name);
}

export function setReplyHeader(r: Reply, name: string, value: string): void {
  if (isPlainReply(r)) r.headers[name.toLowerCase()] = value;
  else r.headers.set(name, value);
}

/** For callers that need a real Response (Elysia's routes, tests). */
export function toResponse(r: Reply): Response {
  if (!isPlainReply(r)) return r;
  return new Response(r.body, { status: r.status, headers: r.headers });
}

/**
 * A request as the server hands it to the S3 front: the parts of a Request that front reads.
 * The listener builds it as a plain object (a Request parses its URL and copies its parts into
 * native code only for the front to read them back); a Request satisfies it too.
 */
export interface IncomingRequest {
  readonly method: string;
  /** Absolute URL, as Request.url. */
  readonly url: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
}
