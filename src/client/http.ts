/**
 * The S3 HTTP core: path-style URLs, SigV4 signing (src/auth's signer), retries with backoff on
 * 5xx / throttling / network failures, and S3 error bodies turned into typed ClientErrors.
 * We use our own signer over fetch rather than @aws-sdk/client-s3: the binary stays lean, bodies
 * are Bun.file slices or streams we control (sendfile, explicit Content-Length), and nothing
 * adds aws-chunked framing or checksum trailers that other S3 servers may not understand.
 */
import { signRequestV4, presignV4, UNSIGNED_PAYLOAD, EMPTY_SHA256 } from "../auth";
import { parseXml, responses, S3Error } from "../s3";
import type { z } from "zod";
import type { AliasConfig } from "./config";
import { ClientError } from "./errors";

/** What a request body may be: a file slice (sent with sendfile), a stream, or small text. */
export type RequestBody = Blob | ReadableStream<Uint8Array> | Uint8Array | string;

export interface S3Request {
  method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
  bucket?: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A factory, so a retry sends a fresh body (streams cannot be replayed). */
  body?: () => RequestBody;
  /** Default: UNSIGNED-PAYLOAD when there is a body, else the empty body's hash. */
  payloadHash?: string;
  /** Statuses the caller handles itself (no throw, no retry), e.g. 404 for a probe. */
  accept?: number[];
  /** Default 4 attempts; 1 for bodies that cannot be recreated. */
  attempts?: number;
  /** The response body is an object's bytes (no overall deadline: it may take long). */
  streamResponse?: boolean;
}

/**
 * Deadline for requests that move no object bytes (listings, HEAD, tagging, …): a server that
 * stops answering then counts as a failed attempt and is retried. CAIRN_CLIENT_TIMEOUT_MS
 * overrides it (tests use a short one).
 */
function deadlineMs(): number {
  const v = Number(process.env.CAIRN_CLIENT_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 60_000;
}

/** RFC 3986 encoding of each path segment; '/' separates segments and stays as is. */
export function encodeKey(key: string): string {
  return key
    .split("/")
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
}

const RETRY_STATUS = new Set([500, 502, 503, 504]);
const ACCESS_CODES = new Set(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"]);

export class S3Client {
  readonly alias: string;
  readonly config: AliasConfig;

  constructor(alias: string, config: AliasConfig) {
    this.alias = alias;
    this.config = config;
  }

  url(req: { bucket?: string; key?: string; query?: Record<string, string> }): URL {
    let path = this.config.url;
    if (req.bucket) path += `/${req.bucket}`;
    if (req.bucket && req.key !== undefined) path += `/${encodeKey(req.key)}`;
    const url = new URL(req.bucket ? path : `${path}/`);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    // URLSearchParams writes spaces as '+', which S3 reads as a literal '+'.
    url.search = url.search.replace(/\+/g, "%20");
    return url;
  }

  presign(req: { method: "GET" | "PUT"; bucket: string; key: string; expiresIn: number }): URL {
    const credentials = { accessKeyId: this.config.accessKey, secretAccessKey: this.config.secretKey };
    return presignV4({ method: req.method, url: this.url(req), credentials, region: this.config.region, expiresIn: req.expiresIn });
  }

  /** Sends with retries; a non-2xx status not in `accept` becomes a ClientError. */
  async send(req: S3Request): Promise<Response> {
    const attempts = req.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.once(req);
      } catch (cause) {
        if (attempt >= attempts) throw new ClientError("network", `cannot reach ${this.config.url} (alias ${this.alias}): ${errText(cause)}`, { cause });
        await backoff(attempt);
        continue;
      }
      if (res.ok || req.accept?.includes(res.status)) return res;
      if (attempt < attempts && (RETRY_STATUS.has(res.status) || res.status === 429)) {
        await res.body?.cancel();
        await backoff(attempt);
        continue;
      }
      throw await this.toError(res, req);
    }
  }

  private once(req: S3Request): Promise<Response> {
    const url = this.url(req);
    const payloadHash = req.payloadHash ?? (req.body ? UNSIGNED_PAYLOAD : EMPTY_SHA256);
    const credentials = { accessKeyId: this.config.accessKey, secretAccessKey: this.config.secretKey };
    const signed = signRequestV4({ method: req.method, url, headers: req.headers ?? {}, credentials, region: this.config.region, payloadHash });
    const signal = req.body || req.streamResponse ? undefined : AbortSignal.timeout(deadlineMs());
    return fetch(url, { method: req.method, headers: signed.headers, body: req.body?.(), redirect: "manual", decompress: false, signal } as RequestInit);
  }

  private async toError(res: Response, req: S3Request): Promise<ClientError> {
    const text = req.method === "HEAD" ? "" : await res.text().catch(() => "");
    let code = res.headers.get("x-amz-error-code") ?? undefined;
    let message = "";
    if (text) {
      try {
        const parsed = parseXml(text, "Error", responses.errorResponse);
        code = parsed.Code;
        message = parsed.Message;
      } catch (err) {
        if (!(err instanceof S3Error)) throw err;
      }
    }
    return classify({ alias: this.alias, status: res.status, code, message, bucket: req.bucket, key: req.key });
  }
}

function classify(e: { alias: string; status: number; code?: string; message: string; bucket?: string; key?: string }): ClientError {
  const extra = { code: e.code, status: e.status };
  if ((e.code && ACCESS_CODES.has(e.code)) || (!e.code && e.status === 403)) {
    return new ClientError("access", `Access denied: check the access key and secret for alias ${e.alias}`, extra);
  }
  if (e.code === "NoSuchBucket" || (!e.code && e.status === 404 && e.key === undefined && e.bucket)) {
    return new ClientError("no-bucket", `no such bucket: ${e.alias}/${e.bucket}`, extra);
  }
  if (e.code === "NoSuchKey" || e.code === "NoSuchVersion" || (!e.code && e.status === 404)) {
    return new ClientError("no-key", `no such object: ${e.alias}/${e.bucket}/${e.key ?? ""}`, extra);
  }
  const what = e.message ? `${e.code ?? e.status}: ${e.message}` : `${e.code ?? `HTTP ${e.status}`}`;
  return new ClientError("s3", `${e.alias}${e.bucket ? `/${e.bucket}` : ""}${e.key ? `/${e.key}` : ""}: ${what}`, extra);
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Exponential backoff with jitter: 0.2 s, 0.4 s, 0.8 s … (+ up to 50%). */
function backoff(attempt: number): Promise<void> {
  const base = 200 * 2 ** (attempt - 1);
  return Bun.sleep(base + Math.random() * base * 0.5);
}

/** Reads a small XML response body and validates it against `schema`. */
export async function readXml<S extends z.ZodType>(res: Response, root: string, schema: S): Promise<z.output<S>> {
  const text = await res.text();
  try {
    return parseXml(text, root, schema);
  } catch (cause) {
    throw new ClientError("s3", `unexpected ${root} response from the server`, { cause });
  }
}
