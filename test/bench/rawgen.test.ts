/** The raw-socket load generator: answer framing, and real runs against a local server. */
import { afterAll, describe, expect, test } from "bun:test";
import { pickGenerator } from "../../scripts/bench/generator";
import { parseHead, rawCanRun, readChunked, runRaw } from "../../scripts/bench/rawgen";
import type { LoadSpec } from "../../scripts/bench/types";

describe("framing", () => {
  test("status and Content-Length; HEAD, 204 and 304 have no body", () => {
    expect(parseHead("HTTP/1.1 200 OK\r\nContent-Type: x\r\nContent-Length: 4096", false)).toEqual({ status: 200, length: 4096 });
    expect(parseHead("HTTP/1.1 200 OK\r\ncontent-length:17", false)).toEqual({ status: 200, length: 17 });
    expect(parseHead("HTTP/1.1 200 OK\r\nContent-Length: 4096", true)).toEqual({ status: 200, length: 0 });
    expect(parseHead("HTTP/1.1 304 Not Modified\r\nETag: x", false)).toEqual({ status: 304, length: 0 });
    expect(parseHead("HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked", false)).toEqual({ status: 403, length: -1 });
  });

  test("an answer it cannot frame is an error, not a hang", () => {
    expect(() => parseHead("HTTP/1.1 200 OK\r\nContent-Type: x", false)).toThrow(/Content-Length/);
    expect(() => parseHead("garbage", false)).toThrow(/status line/);
  });

  test("chunked bodies end at the last chunk's blank line, split anywhere", () => {
    const whole = Buffer.from("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\nHTTP/1.1 200");
    expect(readChunked(whole, 0)).toEqual({ end: whole.indexOf("HTTP"), bytes: 11 });
    for (let cut = 0; cut < whole.indexOf("HTTP"); cut++) expect(readChunked(whole.subarray(0, cut), 0)).toBeNull();
  });
});

describe("runs against a server", () => {
  const body = new Uint8Array(5000).fill(7);
  let seen = 0;
  const byPath = new Map<string, number>();
  const server = Bun.serve({
    port: 0,
    fetch(req) {
      seen++;
      const u = new URL(req.url);
      byPath.set(u.pathname, (byPath.get(u.pathname) ?? 0) + 1);
      if (!u.searchParams.has("X-Amz-Signature")) return new Response("unsigned", { status: 400 });
      if (u.pathname.endsWith("/missing0")) return new Response("<Error/>", { status: 404 });
      if (u.pathname.endsWith("/chunked0")) {
        const s = new ReadableStream({
          pull(c) {
            c.enqueue(body.subarray(0, 1000));
            c.enqueue(body.subarray(1000));
            c.close();
          },
        });
        return new Response(s);
      }
      return new Response(body);
    },
  });
  afterAll(() => server.stop(true));
  const spec = (op: "get" | "head", key: string, seconds = 0.3): LoadSpec => ({
    endpoint: `http://127.0.0.1:${server.port}`,
    accessKey: "a",
    secretKey: "s",
    op,
    bucket: "b",
    keyPrefix: key,
    keyCount: 1,
    size: body.length,
    concurrency: 4,
    seconds,
  });

  test("GET counts whole answers and their bytes; HEAD reads no body", async () => {
    seen = 0;
    const get = await runRaw(spec("get", "k"));
    expect(get.errors).toBe(0);
    expect(get.ops).toBeGreaterThan(10);
    expect(get.bytes).toBe(get.ops * body.length);
    // Requests in flight at the deadline are answered but not counted: at most one per connection.
    expect(seen - get.ops).toBeLessThanOrEqual(4);
    const head = await runRaw(spec("head", "k"));
    expect(head.errors).toBe(0);
    expect(head.ops).toBeGreaterThan(10);
    expect(head.bytes).toBe(0);
    expect(head.generator).toBe("raw");
  });

  test("requests cycle through every key of the cell, each presigned", async () => {
    byPath.clear();
    const r = await runRaw({ ...spec("get", "k"), keyCount: 4 });
    expect(r.errors).toBe(0);
    expect([...byPath.keys()].sort()).toEqual(["/b/k0", "/b/k1", "/b/k2", "/b/k3"]);
    for (const n of byPath.values()) expect(n).toBeGreaterThan(10);
  });

  test("chunked answers are read whole", async () => {
    const r = await runRaw(spec("get", "chunked"));
    expect(r.errors).toBe(0);
    expect(r.ops).toBeGreaterThan(10);
    expect(r.bytes).toBe(r.ops * body.length);
  });

  test("answers that are not 2xx are errors with a sample", async () => {
    const r = await runRaw(spec("get", "missing"));
    expect(r.ops).toBe(0);
    expect(r.errors).toBeGreaterThan(10);
    expect(r.errorSamples).toEqual(["HTTP 404"]);
  });

  test("a refused connection is an error, and the run still ends at its deadline", async () => {
    const dead = Bun.serve({ port: 0, fetch: () => new Response("") });
    const port = dead.port;
    dead.stop(true);
    const t0 = performance.now();
    const r = await runRaw({ ...spec("get", "k"), endpoint: `http://127.0.0.1:${port}` });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.ops).toBe(0);
    expect(r.errors).toBeGreaterThan(0);
    expect(r.errorSamples[0]).toMatch(/^connect/);
  });
});

describe("which generator runs a cell", () => {
  const base: LoadSpec = { endpoint: "http://x", accessKey: "a", secretKey: "s", op: "get", bucket: "b", keyPrefix: "k", keyCount: 1, size: 4096, concurrency: 32, seconds: 3 };

  test("raw takes small GET/HEAD only; fetch takes the rest", () => {
    expect(rawCanRun(base)).toBe(true);
    expect(rawCanRun({ ...base, op: "head" })).toBe(true);
    expect(rawCanRun({ ...base, size: 1 << 20 })).toBe(false);
    expect(rawCanRun({ ...base, op: "put" })).toBe(false);
    expect(rawCanRun({ ...base, range: { start: 0, length: 10 } })).toBe(false);
    expect(rawCanRun({ ...base, seconds: undefined, total: 10 })).toBe(false);
    expect(pickGenerator({ ...base, op: "head" }, ["wrk", "raw", "fetch"])).toBe("raw");
    expect(pickGenerator({ ...base, op: "put" }, ["raw", "fetch"])).toBe("fetch");
    expect(pickGenerator(base, ["fetch"])).toBe("fetch");
  });
});
