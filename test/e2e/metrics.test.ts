/**
 * Metrics and the access log of a real server process, driven by the AWS SDK: the Prometheus
 * text parses strictly, the latency histograms agree with the requests sent, errors are counted
 * by S3 code, a heal-on-read and a write without quorum show up as layer events, and the opt-in
 * access log holds one JSON line per S3 request (and nothing is written when it is off).
 */
import { sdkErrorName } from "../sdk-errors";
import {
  CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkHistogram, parsePrometheus, type Scrape } from "../prometheus";
import { ACCESS_KEY, bucketName, cleanupTemp, REGION, ROOT, SECRET_KEY, startServer, tempDir, type ServerHandle } from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(120_000);
afterAll(cleanupTemp);

const H = "cairn_s3_request_duration_seconds";

function client(url: string, secret = SECRET_KEY): S3Client {
  return new S3Client({
    endpoint: url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: secret },
    maxAttempts: 1,
  });
}

async function scrape(url: string, path = "/minio/v2/metrics/cluster"): Promise<Scrape> {
  const res = await fetch(url + path);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toStartWith("text/plain");
  return parsePrometheus(await res.text());
}

describe("metrics and access log of a 4-drive server", () => {
  let server: ServerHandle;
  let s3: S3Client;
  let logPath: string;
  const bucket = bucketName("metrics");
  /** S3 requests sent, by the API the server should name them. */
  const sent = new Map<string, number>();
  const order: string[] = [];
  const send = async <T>(api: string, p: Promise<T>): Promise<T> => {
    sent.set(api, (sent.get(api) ?? 0) + 1);
    order.push(api);
    return p;
  };
  const total = () => [...sent.values()].reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    logPath = join(tempDir("cairn-log-"), "access.log");
    server = await startServer({ drives: 4, env: { CAIRN_ACCESS_LOG: logPath } });
    s3 = client(server.url);
    await send("CreateBucket", s3.send(new CreateBucketCommand({ Bucket: bucket })));
    for (const key of ["a", "b", "c"]) await send("PutObject", s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` })));
    for (const key of ["a", "b"]) await send("GetObject", s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then((r) => r.Body!.transformToString()));
    expect(await sdkErrorName(send("GetObject", s3.send(new GetObjectCommand({ Bucket: bucket, Key: "missing" }))))).toBe("NoSuchKey");
    expect(await sdkErrorName(send("HeadObject", s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "missing" }))))).toBe("NotFound");
    const forger = client(server.url, "not-the-secret-key-at-all");
    expect(await sdkErrorName(send("ListObjectsV2", forger.send(new ListObjectsV2Command({ Bucket: bucket }))))).toBe("SignatureDoesNotMatch");
    await send("ListObjectsV2", s3.send(new ListObjectsV2Command({ Bucket: bucket })));
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("every path serves strict Prometheus text with the same families", async () => {
    const families = [];
    for (const path of ["/minio/v2/metrics/cluster", "/minio/v2/metrics/node", "/cairn/metrics"]) {
      families.push([...(await scrape(server.url, path)).types.keys()].sort());
    }
    expect(families[1]).toEqual(families[0]!);
    expect(families[2]).toEqual(families[0]!);
    expect(families[0]).toContain(H);
    expect(families[0]).toContain("cairn_s3_errors_total");
  });

  test("one latency histogram per API: cumulative, and its count is the number of requests sent", async () => {
    const m = await scrape(server.url);
    for (const [api, n] of sent) {
      const { count, sum } = checkHistogram(m, H, { api });
      expect({ api, count }).toEqual({ api, count: n });
      expect(sum).toBeGreaterThan(0);
      const byStatus = m.find("cairn_s3_requests_total", { api }).reduce((a, s) => a + s.value, 0);
      expect({ api, byStatus }).toEqual({ api, byStatus: n });
    }
    expect(m.find(`${H}_count`).reduce((a, s) => a + s.value, 0)).toBe(total());
  });

  test("errors are counted by API and S3 code", async () => {
    const m = await scrape(server.url);
    expect(m.value("cairn_s3_errors_total", { api: "GetObject", code: "NoSuchKey" })).toBe(1);
    expect(m.value("cairn_s3_errors_total", { api: "HeadObject", code: "NoSuchKey" })).toBe(1);
    expect(m.value("cairn_s3_errors_total", { api: "ListObjectsV2", code: "SignatureDoesNotMatch" })).toBe(1);
    expect(m.find("cairn_s3_errors_total").reduce((a, s) => a + s.value, 0)).toBe(3);
  });

  test("quorum failure counters are exposed per operation, zero while every drive is healthy", async () => {
    const m = await scrape(server.url);
    expect(m.types.get("cairn_quorum_failures_total")).toBe("counter");
    expect(m.value("cairn_quorum_failures_total", { op: "read" })).toBe(0);
    expect(m.value("cairn_quorum_failures_total", { op: "write" })).toBe(0);
    expect(m.value("cairn_drives_online")).toBe(4);
  });

  test("a read that finds an object missing on one drive heals it, and the heal is counted", async () => {
    const before = (await scrape(server.url)).value("cairn_heal_objects_total", { result: "healed" }) ?? 0;
    rmSync(join(server.drives[0]!, bucket, "c"), { recursive: true });
    const body = await send("GetObject", s3.send(new GetObjectCommand({ Bucket: bucket, Key: "c" })).then((r) => r.Body!.transformToString()));
    expect(body).toBe("body of c");
    let healed = before;
    for (const deadline = Date.now() + 20_000; healed === before && Date.now() < deadline; await Bun.sleep(50)) {
      healed = (await scrape(server.url)).value("cairn_heal_objects_total", { result: "healed" }) ?? 0;
    }
    expect(healed).toBe(before + 1);
    expect(existsSync(join(server.drives[0]!, bucket, "c"))).toBe(true);
  });

  test("a write that two drives cannot take fails for want of quorum, and that is counted", async () => {
    // Root ignores permission bits: a staging directory replaced by a file makes a drive fail writes
    // that stage there. The body makes an xl.meta over one page, which is always written through
    // staging (a new key's small xl.meta is created in place and would not notice).
    const staging = (i: number) => join(server.drives[i]!, ".cairn.sys", "tmp");
    const before = (await scrape(server.url)).value("cairn_quorum_failures_total", { op: "write" })!;
    for (const i of [0, 1]) {
      rmSync(staging(i), { recursive: true });
      writeFileSync(staging(i), "not a directory");
    }
    try {
      expect(await sdkErrorName(send("PutObject", s3.send(new PutObjectCommand({ Bucket: bucket, Key: "unwritable", Body: "x".repeat(16_384) }))))).toBe("SlowDown");
    } finally {
      for (const i of [0, 1]) {
        rmSync(staging(i));
        mkdirSync(staging(i));
      }
    }
    const m = await scrape(server.url);
    expect(m.value("cairn_quorum_failures_total", { op: "write" })).toBe(before + 1);
    expect(m.value("cairn_s3_errors_total", { api: "PutObject", code: "SlowDown" })).toBe(1);
  });

  test("after shutdown the access log holds one JSON line per S3 request, in order, with its fields", async () => {
    const requests = total();
    expect(await server.stop()).toBe(0);
    const lines = readFileSync(logPath, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(requests);
    const fields = ["time", "requestId", "remoteAddress", "method", "api", "bucket", "key", "status", "errorCode", "bytesIn", "bytesOut", "durationMs", "userAgent"];
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual([...fields].sort());
      expect(line.requestId).toMatch(/^[0-9A-F]{16}$/);
      expect(line.remoteAddress).toBe("127.0.0.1");
      expect(line.userAgent).toContain("aws-sdk-js");
      expect(typeof line.durationMs).toBe("number");
    }
    // Requests were sent one after another, so the log lists them in the order sent.
    expect(lines.map((l) => l.api)).toEqual(order);
    expect(lines.find((l) => l.method === "PUT" && l.key === "a")).toMatchObject({ api: "PutObject", bucket, status: 200, errorCode: null, bytesIn: 9 });
    expect(lines.find((l) => l.api === "GetObject" && l.key === "missing")).toMatchObject({ bucket, status: 404, errorCode: "NoSuchKey" });
    expect(lines.find((l) => l.errorCode === "SignatureDoesNotMatch")).toMatchObject({ api: "ListObjectsV2", status: 403, key: null });
    expect(lines.find((l) => l.api === "GetObject" && l.key === "a")).toMatchObject({ status: 200, bytesOut: 9 });
  });
});

describe("access log settings", () => {
  test("`off`: nothing written; `-`: JSON lines on stdout", async () => {
    const off = await startServer({ drives: 1, env: { CAIRN_ACCESS_LOG: "off" } });
    const offClient = client(off.url);
    await offClient.send(new CreateBucketCommand({ Bucket: "quiet" }));
    expect(await off.stop()).toBe(0);
    // A value taken for a path would have created this file in the server's working directory.
    expect(existsSync(join(ROOT, "off"))).toBe(false);
    expect(off.output()).not.toContain('"requestId"');

    const stdout = await startServer({ drives: 1, env: { CAIRN_ACCESS_LOG: "-" } });
    await client(stdout.url).send(new CreateBucketCommand({ Bucket: "loud" }));
    expect(await stdout.stop()).toBe(0);
    const logged = stdout.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ api: "CreateBucket", bucket: "loud", status: 200 });
  });

  test("a log path that cannot be opened stops the server with one line naming it", async () => {
    const path = join(tempDir("cairn-log-"), "missing-dir", "access.log");
    await expect(startServer({ drives: 1, env: { CAIRN_ACCESS_LOG: path } })).rejects.toThrow(`CAIRN_ACCESS_LOG: cannot open ${path}`);
  });
});
