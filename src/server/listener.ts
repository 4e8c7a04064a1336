/**
 * The S3 port's HTTP listener: node:http (Bun's implementation) in front of the app's
 * fetch-style handler (server/app.ts fetchHandler). Not Bun.serve, because Bun.serve drops a handler's Content-Length on a
 * streamed body and sends it chunked (oven-sh/bun#10507, still so in 1.4.5): GetObject must carry
 * Content-Length (s3cmd fails without it, SDKs report it as the object size).
 * Bodies stream both ways with backpressure; nothing is buffered whole.
 */
import { once } from "node:events";
import http from "node:http";
import type { Socket } from "node:net";
import { freeWholeChunk, isPlainReply, releasable, releaseChunk, type IncomingRequest, type Reply } from "../lib/index";
import type { ListenAddress } from "./address";
import { newRequestId } from "./request-id";

/** `target` is the raw request-target, before URL parsing normalized its path. */
export type FetchHandler = (req: IncomingRequest, remoteAddress: string | undefined, target: string) => Promise<Reply>;

export interface Listener {
  port: number;
  /** Installs the real handler; requests that arrived before it wait for it. */
  serve(handler: FetchHandler): void;
  /** Requests being served right now (for shutdown and tests). */
  inFlight(): number;
  /** Stop accepting; wait up to `graceMs` for in-flight requests, then cut every connection. */
  close(graceMs: number): Promise<void>;
}

/**
 * The request body as a pull stream over node's async iterator: each chunk passes through as
 * it is (Readable.toWeb copied every chunk: a quarter of a large PUT's main-thread CPU), one
 * read per pull, so a slow consumer holds the socket back. A consumer that has copied a chunk
 * and releases it (the PUT path) frees its memory at once (lib/chunk-release.ts).
 */
function bodyOf(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(releasable(value, () => freeWholeChunk(value)));
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function toRequest(req: http.IncomingMessage): IncomingRequest {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? null : bodyOf(req);
  return { method, url: `http://${headers.get("host") ?? "localhost"}${req.url ?? "/"}`, headers, body };
}

/** Resolves false when the client went away before the socket drained. */
function drained(out: http.ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const done = (ok: boolean) => {
      out.off("drain", onDrain);
      out.off("close", onClose);
      resolve(ok);
    };
    out.on("drain", onDrain);
    out.on("close", onClose);
  });
}

/** Bodies at most this long (declared) are read whole and written once; larger ones stream. */
const SINGLE_WRITE_MAX = 256 * 1024;

async function send(res: Reply, out: http.ServerResponse, method: string): Promise<void> {
  if (isPlainReply(res)) {
    out.writeHead(res.status, res.headers);
    if (res.body === null || method === "HEAD") out.end();
    else out.end(res.body);
    return;
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  out.writeHead(res.status, headers);
  if (!res.body || method === "HEAD") {
    await res.body?.cancel();
    out.end();
    return;
  }
  if (Number(headers["content-length"]) <= SINGLE_WRITE_MAX) {
    // Small bodies (XML, buffered small objects) leave in one write with the headers: a
    // reader loop costs several socket writes per response (the profile's top item).
    out.end(await res.bytes());
    return;
  }
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (out.destroyed) throw new Error("client closed the connection");
      // The write callback runs once the socket no longer needs the bytes (until then Bun
      // holds the chunk itself, not a copy): only then may a pooled chunk be reused.
      const sent = out.write(value, (err) => err || releaseChunk(value));
      if (!sent && !(await drained(out))) throw new Error("client closed the connection");
    }
    out.end();
  } catch (err) {
    // Tell the producer (an object read) to stop, and drop the half-sent response.
    await reader.cancel(err).catch(() => undefined);
    out.destroy();
  }
}

const LIVE_PATHS = new Set(["/minio/health/live", "/cairn/health/live"]);

/**
 * Until `serve` installs the app, liveness is answered here (the process is up and bound) and
 * every other request waits for the app: start-up work never delays the liveness probe.
 */
function bootHandler(): { handle: FetchHandler; serve(h: FetchHandler): void } {
  let real: FetchHandler | null = null;
  let install!: (h: FetchHandler) => void;
  const installed = new Promise<FetchHandler>((resolve) => (install = resolve));
  return {
    handle: async (req, remote, target) => {
      if (real) return real(req, remote, target);
      if (LIVE_PATHS.has(new URL(req.url).pathname)) {
        return new Response(null, { status: 200, headers: { "x-amz-request-id": newRequestId() } });
      }
      return (await installed)(req, remote, target);
    },
    serve: (h) => {
      real = h;
      install(h);
    },
  };
}

export async function listen(address: ListenAddress, initial?: FetchHandler): Promise<Listener> {
  const boot = bootHandler();
  if (initial) boot.serve(initial);
  const handler = boot.handle;
  let active = 0;
  let idle: (() => void) | null = null;
  const sockets = new Set<Socket>();
  const server = http.createServer(async (req, out) => {
    active++;
    try {
      const res = await handler(toRequest(req), req.socket.remoteAddress, req.url ?? "/");
      await send(res, out, req.method ?? "GET");
    } catch (err) {
      process.stderr.write(`cairn: response failed: ${String(err)}\n`);
      out.destroy();
    } finally {
      active--;
      if (active === 0) idle?.();
    }
  });
  // A 5 GiB PUT on a slow link takes longer than node's 300 s default request timeout.
  server.requestTimeout = 0;
  server.timeout = 0;
  // Node's 5 s keep-alive lets the server close a pooled connection just as a client reuses it
  // ("socket hang up" mid-upload, seen with minio-js); outlast the clients' own idle timeouts.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.listen(address.port, address.host || undefined);
  await once(server, "listening");
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : address.port;

  const close = async (graceMs: number) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const allIdle = active === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve));
    await Promise.race([allIdle, Bun.sleep(graceMs)]);
    for (const s of sockets) s.destroy();
    server.closeAllConnections();
    await closed;
  };
  return { port, serve: boot.serve, inFlight: () => active, close };
}
