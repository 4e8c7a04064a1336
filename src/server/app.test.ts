/**
 * The HTTP shell in-process (`app.handle`): health, metrics, request ids, the browser redirect,
 * and that bodies reach the S3 front unread. The S3 front here is a plain function that echoes
 * what it received: the real one has its own suites.
 */
import { describe, expect, test } from "bun:test";
import type { StorageInfo } from "../object";
import { createApp, fetchHandler, type S3Handler } from "./app";
import { Metrics } from "./metrics";

const drives = (states: StorageInfo["drives"][number]["state"][]) =>
  states.map((state, i) => ({ endpoint: `/d${i}`, state, total: 100, free: 50 }));

function makeApp(opts: { s3?: S3Handler; storage?: StorageInfo | null } = {}) {
  const metrics = new Metrics();
  const echo: S3Handler = async (req, ctx) => {
    const text = `${req.method} ${new URL(req.url).pathname} id=${ctx.requestId} body=${req.body ? await req.text() : ""}`;
    const headers = { "content-type": "text/plain", "content-length": String(Buffer.byteLength(text)) };
    return new Response(text, { headers });
  };
  const storage = opts.storage === undefined ? { drives: drives(["ok"]), writable: true, readable: true } : opts.storage;
  const app = createApp({
    s3: opts.s3 ?? echo,
    metrics,
    storageInfo: async () => storage,
    consoleUrl: () => "http://console.test:9001/",
    apiName: (req, url) => (url.searchParams.has("list-type") ? "ListObjectsV2" : req.method === "PUT" ? "PutObject" : "Other"),
  });
  return { app, metrics, call: (path: string, init?: RequestInit) => app.handle(new Request(`http://s3.test${path}`, init)) };
}

describe("request ids", () => {
  test("every response carries a fresh 16-hex-digit upper-case x-amz-request-id", async () => {
    const { call } = makeApp();
    const ids = [];
    for (const path of ["/b/k", "/b/k", "/minio/health/live", "/cairn/metrics"]) {
      const res = await call(path);
      ids.push(res.headers.get("x-amz-request-id"));
    }
    for (const id of ids) expect(id).toMatch(/^[0-9A-F]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("the S3 front receives the same id it is answered with", async () => {
    const { call } = makeApp();
    const res = await call("/b/k");
    expect(await res.text()).toContain(`id=${res.headers.get("x-amz-request-id")}`);
  });
});

describe("catch-all S3 route", () => {
  test.each([
    ["application/json", "{not json"],
    ["application/x-www-form-urlencoded", "a=1&b"],
    ["multipart/form-data; boundary=zz", "--zz\r\nbroken"],
    ["text/plain", "  spaced  "],
  ])("a %s body reaches the S3 front byte for byte", async (type, body) => {
    const { call } = makeApp();
    const res = await call("/bucket/key?uploads", { method: "POST", body, headers: { "content-type": type } });
    expect(res.status).toBe(200);
    expect(await res.text()).toEndWith(`body=${body}`);
  });

  test("every method and odd paths reach the S3 front", async () => {
    const { call } = makeApp();
    for (const method of ["GET", "PUT", "POST", "DELETE", "OPTIONS"]) {
      const res = await call("/b/a//c%2Fd", { method });
      expect(await res.text()).toStartWith(`${method} /b/a//c%2Fd`);
    }
  });

  test("a throwing S3 front becomes an S3 InternalError that hides the detail", async () => {
    const { call } = makeApp({ s3: async () => { throw new Error("secret internal detail"); } });
    const res = await call("/b/k");
    expect(res.status).toBe(500);
    expect(res.headers.get("x-amz-error-code")).toBe("InternalError");
    const xml = await res.text();
    expect(xml).toContain("<Code>InternalError</Code>");
    expect(xml).toContain(`<RequestId>${res.headers.get("x-amz-request-id")}</RequestId>`);
    expect(xml).not.toContain("secret");
  });
});

describe("health", () => {
  test("live answers 200 even before the layer is open; ready and cluster answer 503 then", async () => {
    const { call } = makeApp({ storage: null });
    for (const prefix of ["/minio/health", "/cairn/health"]) {
      expect((await call(`${prefix}/live`)).status).toBe(200);
      expect((await call(`${prefix}/live`, { method: "HEAD" })).status).toBe(200);
      expect((await call(`${prefix}/ready`)).status).toBe(503);
      expect((await call(`${prefix}/cluster`)).status).toBe(503);
    }
  });

  test("cluster is 503 without write quorum while ready stays 200 with read quorum", async () => {
    const { call } = makeApp({ storage: { drives: drives(["ok", "ok", "offline", "offline"]), writable: false, readable: true } });
    expect((await call("/minio/health/cluster")).status).toBe(503);
    expect((await call("/minio/health/cluster/read")).status).toBe(200);
    expect((await call("/minio/health/ready")).status).toBe(200);
  });

  test("cluster is 200 with write quorum; unknown health paths are 404", async () => {
    const { call } = makeApp();
    expect((await call("/minio/health/cluster")).status).toBe(200);
    expect((await call("/minio/health/nonsense")).status).toBe(404);
  });
});

describe("metrics", () => {
  test("Prometheus text counts requests by API and status, bytes in and out, and drive states", async () => {
    const { call } = makeApp({ storage: { drives: drives(["ok", "offline"]), writable: false, readable: true } });
    await call("/b/k", { method: "PUT", body: "12345", headers: { "content-length": "5" } });
    await call("/b/k", { method: "PUT", body: "67890", headers: { "content-length": "5" } });
    await call("/b?list-type=2");
    for (const path of ["/minio/v2/metrics/cluster", "/cairn/metrics"]) {
      const res = await call(path);
      expect(res.headers.get("content-type")).toStartWith("text/plain");
      const text = await res.text();
      expect(text).toContain('cairn_s3_requests_total{api="PutObject",status="200"} 2');
      expect(text).toContain('cairn_s3_requests_total{api="ListObjectsV2",status="200"} 1');
      expect(text).toContain("cairn_s3_traffic_received_bytes 10");
      expect(text).toMatch(/cairn_s3_traffic_sent_bytes [1-9]\d*/);
      expect(text).toContain('cairn_drive_online{drive="/d1",state="offline"} 0');
      expect(text).toContain("cairn_drives_offline 1");
      expect(text).toContain("cairn_cluster_write_quorum 0");
    }
  });
});

describe("browser redirect", () => {
  test("a browser opening / is sent to the console", async () => {
    const { call } = makeApp();
    const res = await call("/", { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("http://console.test:9001/");
  });

  test("a signed request for / is an S3 ListBuckets, not a redirect", async () => {
    const { call } = makeApp();
    const res = await call("/", { headers: { accept: "text/html", authorization: "AWS4-HMAC-SHA256 Credential=x" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toStartWith("GET /");
  });
});

describe("fetchHandler", () => {
  test("hands the listener's peer address to the S3 front", async () => {
    const seen: (string | undefined)[] = [];
    const { app } = makeApp({ s3: async (_req, ctx) => (seen.push(ctx.remoteAddress), new Response("ok")) });
    await fetchHandler(app)(new Request("http://s3.test/b/k"), "192.0.2.7", "/b/k");
    expect(seen).toEqual(["192.0.2.7"]);
  });

  test("passes the raw path only where URL parsing dropped dot segments, never a client's copy", async () => {
    const seen: (string | null)[] = [];
    const { app } = makeApp({ s3: async (req) => (seen.push(req.headers.get("x-cairn-raw-path")), new Response("ok")) });
    const handle = fetchHandler(app);
    await handle(new Request("http://s3.test/b/k"), undefined, "/b/a/../k?x=1");
    await handle(new Request("http://s3.test/b/k", { headers: { "x-cairn-raw-path": "/other/key" } }), undefined, "/b/k");
    expect(seen).toEqual(["/b/a/../k", null]);
  });
});
