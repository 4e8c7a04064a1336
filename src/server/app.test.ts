/**
 * The HTTP shell in-process (`app.handle`): health, metrics, request ids, the browser redirect,
 * and that bodies reach the S3 front unread. The S3 front here is a plain function that echoes
 * what it received: the real one has its own suites.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LayerStats, StorageInfo } from "../object";
import { checkHistogram, parsePrometheus } from "../../test/prometheus";
import { openAccessLog, type AccessLog } from "./access-log";
import { createApp, fetchHandler, type S3Handler } from "./app";
import { LATENCY_BUCKETS, Metrics } from "./metrics";
import { replyHeader } from "../lib/index";

const drives = (states: StorageInfo["drives"][number]["state"][]) =>
  states.map((state, i) => ({ endpoint: `/d${i}`, state, total: 100, free: 50 }));

interface AppOptions {
  s3?: S3Handler;
  storage?: StorageInfo | null;
  events?: LayerStats;
  accessLog?: AccessLog;
}

function makeApp(opts: AppOptions = {}) {
  const metrics = new Metrics();
  const echo: S3Handler = async (req, ctx) => {
    const text = `${req.method} ${new URL(req.url).pathname} id=${ctx.requestId} body=${req.body ? await new Response(req.body).text() : ""}`;
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
    events: () => opts.events ?? null,
    accessLog: opts.accessLog ?? null,
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

  test("cluster names the write quorum as MinIO does; ?maintenance=true on a single node is 412", async () => {
    const { call } = makeApp({ storage: { drives: drives(["ok", "ok", "ok", "ok"]), writable: true, readable: true, writeQuorum: 3 } });
    const res = await call("/minio/health/cluster");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-minio-write-quorum")).toBe("3");
    expect((await call("/minio/health/cluster?maintenance=true")).status).toBe(412);
    expect((await call("/minio/health/cluster?maintenance=false")).status).toBe(200);
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

/** A stand-in S3 front that routes like the real one: it names the API, bucket and key on the context. */
const routingFront: S3Handler = async (req, ctx) => {
  const [, bucket, key] = new URL(req.url).pathname.split("/");
  Object.assign(ctx, { api: req.method === "HEAD" ? "HeadObject" : "GetObject", bucket, key });
  if (key === "slow") await Bun.sleep(60);
  const code = key === "missing" ? "NoSuchKey" : key === "denied" ? "AccessDenied" : null;
  if (code === null) return new Response("hello", { headers: { "content-length": "5" } });
  return new Response(req.method === "HEAD" ? null : `<Error><Code>${code}</Code></Error>`, {
    status: code === "NoSuchKey" ? 404 : 403,
    headers: { "x-amz-error-code": code },
  });
};

describe("metrics: latency, errors, layer events", () => {
  const scrape = async (call: (path: string) => Promise<Response>) => parsePrometheus(await (await call("/minio/v2/metrics/cluster")).text());

  test("a latency histogram per API: the text parses strictly, buckets are cumulative and +Inf equals the request count", async () => {
    const { call, metrics } = makeApp({ s3: routingFront });
    for (const key of ["a", "b", "slow", "missing"]) await call(`/bkt/${key}`);
    await call("/bkt/a", { method: "HEAD" });
    const m = await scrape(call);
    expect(m.types.get("cairn_s3_request_duration_seconds")).toBe("histogram");
    const get = checkHistogram(m, "cairn_s3_request_duration_seconds", { api: "GetObject" });
    expect(get.count).toBe(4);
    expect(get.count).toBe(metrics.count("GetObject"));
    expect(checkHistogram(m, "cairn_s3_request_duration_seconds", { api: "HeadObject" }).count).toBe(1);
    expect(m.find("cairn_s3_request_duration_seconds_bucket", { api: "GetObject" })).toHaveLength(LATENCY_BUCKETS.length + 1);
    // The 60 ms request is above the 25 ms bound, and the sum holds at least its 60 ms.
    expect(m.value("cairn_s3_request_duration_seconds_bucket", { api: "GetObject", le: "0.025" })).toBeLessThanOrEqual(3);
    expect(get.sum).toBeGreaterThanOrEqual(0.06);
  });

  test("the API label is the front's own routing when it reports one", async () => {
    const { call } = makeApp({ s3: routingFront });
    await call("/bkt/a", { method: "PUT", body: "x" });
    const m = await scrape(call);
    expect(m.value("cairn_s3_requests_total", { api: "GetObject", status: "200" })).toBe(1);
    expect(m.find("cairn_s3_requests_total", { api: "PutObject" })).toEqual([]);
  });

  test("error answers are counted by API and S3 error code, HEAD ones too; successes are not", async () => {
    const { call } = makeApp({ s3: routingFront });
    await call("/bkt/missing");
    await call("/bkt/missing");
    await call("/bkt/missing", { method: "HEAD" });
    await call("/bkt/denied");
    await call("/bkt/a");
    const m = await scrape(call);
    expect(m.types.get("cairn_s3_errors_total")).toBe("counter");
    expect(m.value("cairn_s3_errors_total", { api: "GetObject", code: "NoSuchKey" })).toBe(2);
    expect(m.value("cairn_s3_errors_total", { api: "HeadObject", code: "NoSuchKey" })).toBe(1);
    expect(m.value("cairn_s3_errors_total", { api: "GetObject", code: "AccessDenied" })).toBe(1);
    expect(m.find("cairn_s3_errors_total")).toHaveLength(3);
  });

  test("a throwing front is counted as an InternalError", async () => {
    const { call } = makeApp({ s3: async () => { throw new Error("boom"); } });
    await call("/b/k");
    expect((await scrape(call)).value("cairn_s3_errors_total", { api: "Other", code: "InternalError" })).toBe(1);
  });

  test("the layer's heal outcomes and quorum failures are rendered as counters", async () => {
    const events: LayerStats = { heal: { healed: 3, clean: 7, failed: 1 }, quorumFailures: { read: 2, write: 5 } };
    const m = await scrape(makeApp({ events }).call);
    expect(m.types.get("cairn_heal_objects_total")).toBe("counter");
    expect(m.value("cairn_heal_objects_total", { result: "healed" })).toBe(3);
    expect(m.value("cairn_heal_objects_total", { result: "clean" })).toBe(7);
    expect(m.value("cairn_heal_objects_total", { result: "failed" })).toBe(1);
    expect(m.value("cairn_quorum_failures_total", { op: "read" })).toBe(2);
    expect(m.value("cairn_quorum_failures_total", { op: "write" })).toBe(5);
  });

  test("while the layer opens there are no layer counters, and the text still parses", async () => {
    const m = await scrape(makeApp({ storage: null }).call);
    expect(m.find("cairn_heal_objects_total")).toEqual([]);
    expect(m.value("cairn_s3_requests_in_flight")).toBe(0);
  });
});

describe("access log", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-access-log-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("one JSON line per S3 request with its id, route, status, error code, bytes and duration", async () => {
    const path = join(dir, "access.log");
    const log = openAccessLog(path);
    const { app } = makeApp({ s3: routingFront, accessLog: log });
    const handle = fetchHandler(app);
    const ua = { "user-agent": "test-agent/1.0" };
    const ok = await handle(new Request("http://s3.test/bkt/a", { headers: ua }), "192.0.2.9", "/bkt/a");
    const missing = await handle(new Request("http://s3.test/bkt/missing", { headers: ua }), "192.0.2.9", "/bkt/missing");
    await handle(new Request("http://s3.test/minio/health/live"), undefined, "/minio/health/live");
    await log.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const [first, second] = lines;
    expect(first).toMatchObject({
      requestId: replyHeader(ok, "x-amz-request-id"), remoteAddress: "192.0.2.9", method: "GET", api: "GetObject",
      bucket: "bkt", key: "a", status: 200, errorCode: null, bytesIn: 0, bytesOut: 5, userAgent: "test-agent/1.0",
    });
    expect(second).toMatchObject({ requestId: replyHeader(missing, "x-amz-request-id"), key: "missing", status: 404, errorCode: "NoSuchKey" });
    for (const line of lines) {
      expect(new Date(line.time).toISOString()).toBe(line.time);
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
      expect(Object.keys(line).sort()).toEqual(Object.keys(first).sort());
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

  test("a bucket under Elysia's prefixes (/minio/…) still reaches the S3 front, with its body and peer address", async () => {
    const seen: string[] = [];
    const { app } = makeApp({
      s3: async (req, ctx) => {
        seen.push(`${req.method} ${new URL(req.url).pathname} ${ctx.remoteAddress} ${await new Response(req.body).text()}`);
        return new Response("ok");
      },
    });
    const handle = fetchHandler(app);
    const body = new Blob(["payload"]).stream();
    const lane = { method: "PUT", url: "http://s3.test/minio/key", headers: new Headers({ "content-length": "7" }), body };
    const res = await handle(lane, "192.0.2.8", "/minio/key");
    expect(res.status).toBe(200);
    await handle({ method: "PUT", url: "http://s3.test/b/k", headers: new Headers(), body: new Blob(["direct"]).stream() }, "192.0.2.9", "/b/k");
    expect(seen).toEqual(["PUT /minio/key 192.0.2.8 payload", "PUT /b/k 192.0.2.9 direct"]);
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
