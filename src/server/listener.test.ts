/**
 * The S3 port's listener over real loopback sockets: framing (Content-Length on streamed bodies,
 * HEAD, 100-continue), large streamed uploads, aborted transfers reaching the producer or the
 * consumer, and the bounded graceful close.
 */
import { afterEach, expect, test } from "bun:test";
import { connect } from "node:net";
import { listen, type FetchHandler, type Listener } from "./listener";

let current: Listener | null = null;
afterEach(async () => {
  await current?.close(0);
  current = null;
});

async function start(handler: FetchHandler): Promise<string> {
  current = await listen({ host: "127.0.0.1", port: 0 }, handler);
  return `http://127.0.0.1:${current.port}`;
}

function streamOf(pieces: number, pieceSize: number, onCancel?: () => void): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent++ < pieces) c.enqueue(new Uint8Array(pieceSize).fill(sent & 0xff));
      else c.close();
    },
    cancel: onCancel,
  });
}

/** Raw HTTP/1.1 over a socket: what the client really receives, framing included. */
function rawExchange(port: number, request: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    let got = "";
    sock.on("data", (d) => {
      got += d.toString("latin1");
      if (body !== undefined && got.includes("100 Continue") && !got.includes("sent")) {
        sock.write(body);
        got += "\n[sent]\n";
      }
    });
    sock.on("error", reject);
    sock.on("close", () => resolve(got));
    sock.write(request);
    setTimeout(() => sock.end(), 500);
  });
}

test("a streamed body keeps the handler's Content-Length (no chunked framing)", async () => {
  const url = await start(async () => new Response(streamOf(4, 1000), { headers: { "content-length": "4000" } }));
  const raw = await rawExchange(current!.port, "GET /b/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  expect(raw.toLowerCase()).toContain("content-length: 4000");
  expect(raw.toLowerCase()).not.toContain("transfer-encoding");
  const res = await fetch(`${url}/b/k`);
  expect((await res.arrayBuffer()).byteLength).toBe(4000);
});

test("HEAD answers the declared Content-Length and no body", async () => {
  await start(async () => new Response(null, { headers: { "content-length": "123456", etag: '"e"' } }));
  const raw = await rawExchange(current!.port, "HEAD /b/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  expect(raw.toLowerCase()).toContain("content-length: 123456");
  expect(raw.split("\r\n\r\n")[1]).toBe("");
});

test("Expect: 100-continue gets its interim response before the body is sent", async () => {
  await start(async (req) => new Response(`got ${(await new Response(req.body).arrayBuffer()).byteLength}`));
  const raw = await rawExchange(
    current!.port,
    "PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
    "hello",
  );
  expect(raw).toContain("HTTP/1.1 100 Continue");
  expect(raw).toContain("got 5");
});

test("a 200 MiB streamed upload reaches the handler whole (above Bun.serve's 128 MiB default)", async () => {
  const url = await start(async (req) => {
    let n = 0;
    for await (const chunk of req.body!) n += chunk.byteLength;
    return new Response(String(n));
  });
  const body = streamOf(200, 1024 * 1024);
  const res = await fetch(`${url}/b/big`, { method: "PUT", body, headers: { "content-length": String(200 * 1024 * 1024) } });
  expect(await res.text()).toBe(String(200 * 1024 * 1024));
}, 60_000);

test("a client that disconnects mid-download cancels the producer", async () => {
  let cancelled!: () => void;
  const wasCancelled = new Promise<void>((resolve) => (cancelled = resolve));
  await start(async () => new Response(streamOf(100_000, 64 * 1024, () => cancelled()), { headers: { "content-length": String(100_000 * 64 * 1024) } }));
  const sock = connect(current!.port, "127.0.0.1");
  sock.write("GET /b/k HTTP/1.1\r\nHost: x\r\n\r\n");
  sock.once("data", () => sock.destroy());
  await wasCancelled;
  expect(current!.inFlight()).toBeLessThanOrEqual(1);
});

test("a client that disconnects mid-upload makes the request body fail, not hang", async () => {
  let outcome!: (v: string) => void;
  const result = new Promise<string>((resolve) => (outcome = resolve));
  await start(async (req) => {
    try {
      for await (const _ of req.body!) {
        // consume
      }
      outcome("completed");
    } catch {
      outcome("errored");
    }
    return new Response("x");
  });
  const sock = connect(current!.port, "127.0.0.1");
  sock.write("PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
  sock.write(Buffer.alloc(1000));
  await Bun.sleep(100);
  sock.destroy();
  expect(await result).toBe("errored");
});

test("close waits for an in-flight request, refuses new connections, and cuts a stalled one after the grace period", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const url = await start(async (req) => {
    if (new URL(req.url).pathname === "/slow") await gate;
    if (new URL(req.url).pathname === "/stall") await new Promise(() => {});
    return new Response("done");
  });
  const slow = fetch(`${url}/slow`).then((r) => r.text());
  await Bun.sleep(50);
  const closing = current!.close(10_000);
  await Bun.sleep(50);
  await expect(fetch(`${url}/other`)).rejects.toThrow();
  release();
  expect(await slow).toBe("done");
  await closing;

  const url2 = await start(async () => new Promise<Response>(() => {}));
  const stalled = fetch(`${url2}/stall`).then(() => "answered", () => "cut");
  await Bun.sleep(50);
  await current!.close(100);
  expect(await stalled).toBe("cut");
});
