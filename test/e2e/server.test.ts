/**
 * The server process itself: start-up, banner, configuration errors, health, metrics, request
 * ids, the browser redirect and console placeholder, and exit on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ACCESS_KEY, cleanupTemp, ROOT, run, SECRET_KEY, startServer, tempDir, type ServerHandle } from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

afterAll(cleanupTemp);

async function cairn(args: string[], env: Record<string, string> = {}) {
  return run([process.execPath, "src/main.ts", ...args], { env, allowFailure: true, timeoutMs: 30_000 });
}

describe("configuration errors exit 2 with a clear message", () => {
  test("unknown flag", async () => {
    const r = await cairn(["server", tempDir(), "--no-such-flag"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--no-such-flag");
  });

  test("no drives", async () => {
    const r = await cairn(["server"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no drives");
  });

  test("bad address", async () => {
    const r = await cairn(["server", tempDir(), "--address", "not-an-address"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not-an-address");
  });

  test("bad storage class", async () => {
    const r = await cairn(["server", tempDir()], { CAIRN_STORAGE_CLASS_STANDARD: "EC:lots" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("EC:lots");
  });

  test("--help prints usage and exits 0", async () => {
    const r = await cairn(["server", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--console-address");
  });
});

describe("a running 4-drive server", () => {
  let server: ServerHandle;

  beforeAll(async () => {
    server = await startServer({ drives: 4 });
    // Measured, not asserted (machines are noisy): reported in the test log.
    console.log(`e2e: spawn to /minio/health/live on 4 empty drives: ${server.liveMs.toFixed(0)} ms`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("prints one banner line with the S3 URL, console URL, drives and EC layout", async () => {
    const ready = await fetch(`${server.url}/minio/health/ready`);
    expect(ready.status).toBe(200);
    const banner = server.output().split("\n").filter((l) => l.startsWith("Cairn S3:"));
    expect(banner).toHaveLength(1);
    expect(banner[0]).toContain(server.url);
    expect(banner[0]).toContain(`http://127.0.0.1:${server.consolePort}`);
    expect(banner[0]).toContain("Drives: 4");
    expect(banner[0]).toContain("EC:2");
  });

  test("health endpoints under /minio and /cairn", async () => {
    for (const prefix of ["/minio/health", "/cairn/health"]) {
      for (const which of ["live", "ready", "cluster"]) {
        const res = await fetch(`${server.url}${prefix}/${which}`);
        expect(`${which} ${res.status}`).toBe(`${which} 200`);
        expect(res.headers.get("x-amz-request-id")).toMatch(/^[0-9A-F]{16}$/);
      }
    }
  });

  test("an unsigned S3 request is refused with an S3 error that carries the request id", async () => {
    const res = await fetch(`${server.url}/some-bucket/some-key`);
    expect(res.status).toBe(403);
    const id = res.headers.get("x-amz-request-id");
    expect(id).toMatch(/^[0-9A-F]{16}$/);
    const xml = await res.text();
    expect(xml).toContain("<Error>");
    expect(xml).toContain("<Code>AccessDenied</Code>");
  });

  test("a browser opening the S3 port is redirected to the console, which serves a page", async () => {
    const res = await fetch(`${server.url}/`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(res.status).toBe(307);
    const location = res.headers.get("location")!;
    expect(location).toBe(`http://127.0.0.1:${server.consolePort}/`);
    const page = await fetch(location);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Cairn console");
  });

  test("Prometheus metrics count requests and show the four drives online", async () => {
    await fetch(`${server.url}/b/k`);
    const text = await (await fetch(`${server.url}/minio/v2/metrics/cluster`)).text();
    expect(text).toMatch(/cairn_s3_requests_total\{api="GetObject",status="403"\} [1-9]/);
    expect(text).toContain("cairn_drives_online 4");
    expect(text).toContain("cairn_cluster_write_quorum 1");
    expect(await (await fetch(`${server.url}/cairn/metrics`)).text()).toContain("cairn_drives_online 4");
  });

  test("keys with . or .. segments get InvalidObjectName (not a signature error) and nothing is written", async () => {
    const client = new S3Client({
      endpoint: server.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    });
    await client.send(new CreateBucketCommand({ Bucket: "dots" }));
    for (const Key of ["a/../b", "../../escape", "x/./y"]) {
      const err = await client.send(new PutObjectCommand({ Bucket: "dots", Key, Body: "hi" })).catch((e) => e);
      expect(err?.name).toBe("InvalidObjectName");
    }
    await client.send(new PutObjectCommand({ Bucket: "dots", Key: "plain", Body: "ok" }));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "dots" }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(["plain"]);
    for (const d of server.drives) expect(existsSync(join(d, "..", "escape"))).toBe(false);
  });

  test("SIGTERM exits 0", async () => {
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain("SIGTERM");
  });
});

test("default credentials: the server warns loudly on stderr", async () => {
  const server = await startServer({ drives: 1, env: { CAIRN_ROOT_USER: "", CAIRN_ROOT_PASSWORD: "" } });
  try {
    await fetch(`${server.url}/minio/health/ready`);
    expect(server.output()).toContain("WARNING: using the default root credentials minioadmin/minioadmin");
  } finally {
    expect(await server.stop()).toBe(0);
  }
});

/** Starts `cairn server ARGS` with extra env, returns its banner line, then stops it (exit 0 asserted). */
async function bannerOf(args: string[], env: Record<string, string>): Promise<string> {
  const r = Bun.spawn([process.execPath, "src/main.ts", "server", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = r.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  r.kill("SIGTERM");
  expect(await r.exited).toBe(0);
  return out;
}

test("MINIO_VOLUMES with an ellipsis supplies the drives when none are given", async () => {
  const base = tempDir();
  for (let i = 1; i <= 4; i++) mkdirSync(`${base}/disk${i}`);
  const out = await bannerOf(["--address", "127.0.0.1:0", "--console-address", "127.0.0.1:0"], {
    MINIO_VOLUMES: `${base}/disk{1...4}`,
    CAIRN_ROOT_USER: "",
    CAIRN_ROOT_PASSWORD: "",
  });
  expect(out).toContain("Drives: 4");
});

test("MINIO_OPTS supplies flags (as in MinIO's image and unit) and an explicit flag still wins", async () => {
  const base = tempDir();
  const out = await bannerOf([base, "--console-address", "127.0.0.1:0"], {
    MINIO_OPTS: "--address 127.0.0.1:0 --console-address 127.0.0.1:9",
    CAIRN_OPTS: "",
  });
  // MINIO_OPTS chose a random port (not the default 9000); the command line's console address won.
  const port = Number(/Cairn S3: http:\/\/127\.0\.0\.1:(\d+) /.exec(out)?.[1]);
  expect(port).toBeGreaterThan(0);
  expect(port).not.toBe(9000);
  expect(out).toMatch(/Console: http:\/\/127\.0\.0\.1:\d{2,} /);
});

test("MINIO_BROWSER=off: no console, and a browser on the S3 port gets S3's answer instead of a redirect", async () => {
  const server = await startServer({ drives: 1, env: { MINIO_BROWSER: "off" } });
  try {
    expect(server.output()).toContain("Console: off");
    const res = await fetch(`${server.url}/`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(res.status).toBe(403);
    expect(await fetch(`http://127.0.0.1:${server.consolePort}/`).catch(() => "refused")).toBe("refused");
  } finally {
    expect(await server.stop()).toBe(0);
  }
});

test("losing write quorum turns /minio/health/cluster to 503 while live stays 200", async () => {
  const server = await startServer({ drives: 4 });
  try {
    expect((await fetch(`${server.url}/minio/health/cluster`)).status).toBe(200);
    // EC:2 on 4 drives needs 3 for a write: take two away.
    for (const d of server.drives.slice(0, 2)) rmSync(d, { recursive: true, force: true });
    let status = 0;
    for (let i = 0; i < 100 && status !== 503; i++) {
      status = (await fetch(`${server.url}/minio/health/cluster`)).status;
      if (status !== 503) await Bun.sleep(100);
    }
    expect(status).toBe(503);
    expect((await fetch(`${server.url}/minio/health/live`)).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/cairn/metrics`)).text();
    expect(metrics).toContain("cairn_cluster_write_quorum 0");
  } finally {
    expect(await server.stop()).toBe(0);
  }
});
