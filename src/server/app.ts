/**
 * The Elysia app: health and metrics routes, a browser redirect to the console, and ONE
 * catch-all route that hands every other request, body unread, to the S3 front. Elysia parses
 * nothing (`parse: "none"`) and never writes an error body of its own: the S3 front owns every
 * S3 response, and a handler that throws becomes an S3 InternalError here. Requests whose path
 * cannot name one of the app's own routes go to that same S3 route without Elysia's router
 * (fetchHandler), as plain requests and replies (lib/reply.ts).
 */
import { Elysia } from "elysia";
import type { LayerStats, StorageInfo } from "../object";
import type { AccessLog } from "./access-log";
import { Metrics, type MetricsSnapshot } from "./metrics";
import { newRequestId } from "./request-id";
import { RAW_PATH_HEADER, rawPathToKeep, replyHeader, setReplyHeader, toResponse, type IncomingRequest, type Reply } from "../lib/index";

export interface S3Context {
  requestId: string;
  remoteAddress?: string;
  /** The request URL as parsed here, for the S3 front to reuse. */
  url?: URL;
  /** Filled in by the S3 front once it has routed the request. */
  api?: string;
  bucket?: string;
  key?: string;
}
export type S3Handler = (req: IncomingRequest, ctx: S3Context) => Promise<Reply>;

export interface AppDeps {
  s3: S3Handler;
  metrics: Metrics;
  /** null while the object layer is still opening. */
  storageInfo: () => Promise<StorageInfo | null>;
  /** Requests the listener is serving right now (this one included). */
  inFlight?: () => number;
  /** Where a browser that opens the S3 port is sent; null: no console. */
  consoleUrl: (req: IncomingRequest) => string | null;
  /**
   * The S3 operation name for metrics labels, for requests the S3 front did not route itself
   * (preflights, unroutable requests); it reports the others on the context.
   */
  apiName: (req: IncomingRequest, url: URL) => string;
  /** The layer's heal and quorum counters; null while it opens or when it keeps none. */
  events?: () => LayerStats | null;
  /** In a server of several processes: every process's counters (null when some did not answer). */
  gatherMetrics?: () => Promise<MetricsSnapshot[] | null>;
  /** Off (absent) by default: then no log entry is even built. */
  accessLog?: AccessLog | null;
}

/** The listener hands each request's peer address over here; Elysia passes the Request through. */
const remoteAddresses = new WeakMap<Request, string>();

const HEALTH_PREFIXES = ["/minio/health", "/cairn/health"];
const METRICS_PATHS = ["/minio/v2/metrics/cluster", "/minio/v2/metrics/node", "/cairn/metrics"];

function plain(status: number, requestId: string, body: string | null = null, type = "text/plain"): Response {
  const headers: Record<string, string> = { "x-amz-request-id": requestId, "cache-control": "no-store" };
  if (body !== null) headers["content-type"] = type;
  return new Response(body, { status, headers });
}

async function health(which: string, deps: AppDeps, req: { requestId: string; maintenance: boolean }): Promise<Response> {
  const { requestId } = req;
  if (which === "live") return plain(200, requestId);
  const info = await deps.storageInfo().catch(() => null);
  const ok = which === "cluster" ? info?.writable : info?.readable;
  if (which === "ready" || which === "cluster/read") return plain(ok ? 200 : 503, requestId);
  if (which !== "cluster") return plain(404, requestId);
  // As MinIO: the cluster probe names the write quorum, and `?maintenance=true` asks whether this
  // node may go down without losing it. A single-node deployment never may: 412.
  const res = plain(!ok ? 503 : req.maintenance ? 412 : 200, requestId);
  if (info?.writeQuorum !== undefined) res.headers.set("x-minio-write-quorum", String(info.writeQuorum));
  return res;
}

function internalError(requestId: string, resource: string): Response {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>' +
    "<Message>We encountered an internal error. Please try again.</Message>" +
    `<Resource>${resource.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)}</Resource>` +
    `<RequestId>${requestId}</RequestId></Error>`;
  return new Response(xml, {
    status: 500,
    headers: { "content-type": "application/xml", "x-amz-request-id": requestId, "x-amz-error-code": "InternalError" },
  });
}

/** A person's browser, not an S3 client: HTML wanted, no credentials anywhere. */
function isBrowser(req: IncomingRequest, url: URL): boolean {
  if (req.method !== "GET" || url.pathname !== "/") return false;
  if (!(req.headers.get("accept") ?? "").includes("text/html")) return false;
  if (req.headers.has("authorization")) return false;
  return !url.searchParams.has("X-Amz-Signature") && !url.searchParams.has("Signature");
}

function declaredLength(value: string | null): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

async function serveS3(req: IncomingRequest, deps: AppDeps, remoteAddress: string | undefined): Promise<Reply> {
  const started = performance.now();
  const requestId = newRequestId();
  const url = new URL(req.url);
  const consoleUrl = isBrowser(req, url) ? deps.consoleUrl(req) : null;
  if (consoleUrl) {
    return new Response(null, { status: 307, headers: { location: consoleUrl, "x-amz-request-id": requestId } });
  }
  const ctx: S3Context = remoteAddress === undefined ? { requestId, url } : { requestId, url, remoteAddress };
  let res: Reply;
  try {
    res = await deps.s3(req, ctx);
  } catch (err) {
    // The S3 front should never throw; if it does, log the detail and hide it from the client.
    process.stderr.write(`cairn: request ${requestId} ${req.method} ${url.pathname} failed: ${String(err)}\n`);
    res = internalError(requestId, url.pathname);
  }
  if (replyHeader(res, "x-amz-request-id") === null) setReplyHeader(res, "x-amz-request-id", requestId);
  account({ req, url, res, ctx, started }, deps);
  return res;
}

interface Served {
  req: IncomingRequest;
  url: URL;
  res: Reply;
  ctx: S3Context;
  /** performance.now() at arrival. */
  started: number;
}

/** Metrics and the access log for one answered request. */
function account(s: Served, deps: AppDeps): void {
  const { req, res, ctx } = s;
  const ms = performance.now() - s.started;
  const api = ctx.api ?? deps.apiName(req, s.url);
  const bytesIn = declaredLength(req.headers.get("content-length"));
  const bytesOut = req.method === "HEAD" ? 0 : declaredLength(replyHeader(res, "content-length"));
  // The S3 front's one error serializer names the code in this header on every error answer.
  const errorCode = res.status >= 400 ? (replyHeader(res, "x-amz-error-code") ?? undefined) : undefined;
  deps.metrics.record({ api, status: res.status, bytesIn, bytesOut, seconds: ms / 1000, errorCode });
  deps.accessLog?.write({
    // From the wall clock as it reads now, not performance.timeOrigin, which drifts when NTP steps the clock.
    time: new Date(Date.now() - ms).toISOString(),
    requestId: ctx.requestId,
    remoteAddress: ctx.remoteAddress ?? null,
    method: req.method,
    api,
    bucket: ctx.bucket ?? null,
    key: ctx.key ?? null,
    status: res.status,
    errorCode: errorCode ?? null,
    bytesIn,
    bytesOut,
    durationMs: Math.round(ms * 1000) / 1000,
    userAgent: req.headers.get("user-agent"),
  });
}

export function createApp(deps: AppDeps) {
  const app = new Elysia();
  for (const prefix of HEALTH_PREFIXES) {
    app.all(
      `${prefix}/*`,
      ({ params, query }) => health(params["*"], deps, { requestId: newRequestId(), maintenance: query.maintenance === "true" }),
      { parse: "none" },
    );
  }
  for (const path of METRICS_PATHS) {
    app.all(path, async () => {
      const storage = await deps.storageInfo().catch(() => null);
      const all = await deps.gatherMetrics?.();
      const { metrics, inFlight, events } = all?.length
        ? Metrics.merge(all)
        : { metrics: deps.metrics, inFlight: deps.inFlight?.() ?? 1, events: deps.events?.() ?? null };
      // Less the scrape itself.
      const text = metrics.render({ storage, inFlight: Math.max(0, inFlight - 1), events });
      return plain(200, newRequestId(), text, "text/plain; version=0.0.4");
    }, { parse: "none" });
  }
  app.all("/*", async ({ request }) => toResponse(await serveS3(request, deps, remoteAddresses.get(request))), { parse: "none" });
  s3Lanes.set(app, (req, remote) => serveS3(req, deps, remote));
  return app;
}

/** Each app's S3 route, for the listener to call without Elysia's routing (see fetchHandler). */
const s3Lanes = new WeakMap<object, (req: IncomingRequest, remote: string | undefined) => Promise<Reply>>();

function asRequest(req: IncomingRequest): Request {
  if (req instanceof Request) return req;
  const init: RequestInit & { duplex: "half" } = { method: req.method, headers: req.headers, body: req.body, duplex: "half" };
  return new Request(req.url, init);
}

/** Paths that may name one of the app's own routes (health, metrics); all else is S3's. */
function mayBeAppRoute(target: string): boolean {
  return !target.startsWith("/") || target.startsWith("/minio/") || target.startsWith("/cairn/");
}

/**
 * The app as a fetch-style handler for the listener, carrying the peer address along, and the
 * raw path where URL parsing dropped dot segments (here, not in the listener: the listener is
 * loaded before the port is bound and stays light).
 */
export function fetchHandler(
  app: ReturnType<typeof createApp>,
): (req: IncomingRequest, remote: string | undefined, target: string) => Promise<Reply> {
  const s3 = s3Lanes.get(app)!;
  return (req, remote, target) => {
    req.headers.delete(RAW_PATH_HEADER);
    const rawPath = rawPathToKeep(target);
    if (rawPath !== null) req.headers.set(RAW_PATH_HEADER, rawPath);
    // S3 requests skip Elysia's router: it would only reach the catch-all route (a tenth of a
    // small GET's CPU went to the layers between the socket and the S3 front).
    if (!mayBeAppRoute(target)) return s3(req, remote);
    const request = asRequest(req);
    if (remote !== undefined) remoteAddresses.set(request, remote);
    return app.handle(request);
  };
}
