/**
 * A server of two processes on one port (CAIRN_PROCESSES=2), driven by @aws-sdk/client-s3 over
 * a new connection per request, so the kernel spreads requests over both processes. What one
 * process changes, the other must see at once: an overwrite, a versioning switch, a deleted
 * bucket. Concurrent writers of one key in both processes lose no version; a scrape
 * counts every process's requests; a killed process is replaced; SIGTERM stops them all.
 */
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand,
  PutObjectCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Agent } from "node:http";
import { sdkClient } from "../sdk-client";
import { sdkErrorName } from "../sdk-errors";
import { ACCESS_KEY, bucketName, cleanupTemp, pseudoRandom, run, SECRET_KEY, startServer, tempDir, type ServerHandle } from "./harness";

setDefaultTimeout(180_000);

let server: ServerHandle;
let s3: S3Client;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The server's worker processes (children of the primary). */
const workers = () => workersOf(server.proc.pid);

function workersOf(primary: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === primary) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(50);
  }
}

const text = async (key: string, bucket: string) =>
  (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString());

beforeAll(async () => {
  server = await startServer({ drives: 4, env: { CAIRN_PROCESSES: "2" } });
  await until(() => workers().length === 2);
  // A new connection per request: the kernel picks a process for each.
  s3 = sdkClient(server.url, { requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: false }) }) });
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
  cleanupTemp();
});

test("the banner names two processes, and two workers serve the port", () => {
  expect(server.output()).toContain("Processes: 2");
  expect(workers()).toHaveLength(2);
});

test("an overwrite through one process is read back through every process at once", async () => {
  const bucket = bucketName("procs-raw");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < 40; i++) {
    // Reads on several connections warm both processes' caches of the key's xl.meta first.
    if (i > 0) for (let r = 0; r < 4; r++) expect(await text("k", bucket)).toBe(`v${i - 1}`);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: `v${i}` }));
    for (let r = 0; r < 4; r++) expect(await text("k", bucket)).toBe(`v${i}`);
  }
});

test("versioning switched on through one process versions the next PUTs through both", async () => {
  const bucket = bucketName("procs-ver");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // Unversioned PUTs make both processes read (and cache) the bucket's versioning config.
  for (let i = 0; i < 8; i++) {
    const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    expect(r.VersionId).toBeUndefined();
  }
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  const ids = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: `v${i}` }));
    expect(r.VersionId).toBeString();
    ids.add(r.VersionId!);
  }
  expect(ids.size).toBe(8);
});

test("a bucket deleted through one process is gone for the other", async () => {
  const bucket = bucketName("procs-del");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < 8; i++) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i}`, Body: "x" }));
  for (let i = 0; i < 8; i++) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `k${i}` }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < 8; i++) {
    expect(await sdkErrorName(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "again", Body: "x" })))).toBe("NoSuchBucket");
  }
});

test("concurrent PUTs of one key through both processes keep every version, and the latest whole", async () => {
  const bucket = bucketName("procs-race");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // Versioned: each PUT reads the key's xl.meta, adds its version and writes it back, so two
  // writers that the locks did not keep apart would lose one of the versions.
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  let total = 0;
  for (let round = 0; round < 3; round++) {
    const bodies = Array.from({ length: 12 }, (_, i) => pseudoRandom(100_000 + i * 1000, round * 100 + i));
    const puts = await Promise.all(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: "hot", Body }))));
    total += bodies.length;
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "hot" }));
    expect(listed.Versions).toHaveLength(total);
    for (const p of puts) expect(listed.Versions!.some((v) => v.VersionId === p.VersionId)).toBe(true);
    const got = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "hot" }))).Body!.transformToByteArray();
    const latest = listed.Versions!.find((v) => v.IsLatest)!;
    const body = bodies[puts.findIndex((p) => p.VersionId === latest.VersionId)]!;
    expect(Buffer.from(got).equals(Buffer.from(body))).toBe(true);
  }
});

test("a scrape through either process counts both processes' requests", async () => {
  const bucket = bucketName("procs-metrics");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "m", Body: "x" }));
  const count = async () => {
    const body = await (await fetch(`${server.url}/minio/v2/metrics/cluster`, { headers: { connection: "close" } })).text();
    const line = body.split("\n").find((l) => l.startsWith('cairn_s3_requests_total{api="HeadObject",status="200"}'));
    return Number(line?.split(" ")[1] ?? 0);
  };
  const before = await count();
  for (let i = 0; i < 30; i++) await fetch(`${server.url}/minio/health/live`); // not counted as S3
  for (let i = 0; i < 30; i++) await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "m" }));
  for (let i = 0; i < 6; i++) expect(await count()).toBe(before + 30);
});

/** Worker 1 prints the banner each time it has opened the drives (and emptied its share of tmp). */
const banners = () => server.output().split("Cairn S3:").length - 1;

test("a killed process is replaced and the port keeps answering", async () => {
  const [victim] = workers();
  const leader = victim === workerNumbered(1);
  const before = banners();
  process.kill(victim!, "SIGKILL");
  await until(() => workers().length === 2 && !workers().includes(victim!));
  // Forked is not ready: a new worker 1 empties its share of tmp as it opens the drives, which
  // on a loaded machine once came after the next test planted a file there.
  if (leader) await until(() => banners() > before);
  const bucket = bucketName("procs-kill");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < 10; i++) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i}`, Body: `v${i}` }));
    expect(await text(`k${i}`, bucket)).toBe(`v${i}`);
  }
});

/** The worker of that index (CAIRN_WORKER_INDEX in its environment). */
function workerNumbered(index: number): number | undefined {
  return workers().find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`CAIRN_WORKER_INDEX=${index}`);
    } catch {
      return false; // gone meanwhile
    }
  });
}

test("a worker restarted after a crash empties its share of the scratch area, and only its own", async () => {
  const victim = workerNumbered(2);
  expect(victim).toBeDefined();
  // What a worker killed mid-PUT leaves behind: a staged shard in its share of tmp.
  const planted = (drive: string, owner: string) => join(drive, ".cairn.sys", "tmp", owner, "staged-dd", "part.1");
  for (const d of server.drives) {
    for (const owner of ["w1", "w2"]) {
      mkdirSync(dirname(planted(d, owner)), { recursive: true });
      writeFileSync(planted(d, owner), "left behind");
    }
  }
  process.kill(victim!, "SIGKILL");
  await until(() => workerNumbered(2) !== undefined && workerNumbered(2) !== victim);
  await until(() => server.drives.every((d) => !existsSync(planted(d, "w2"))));
  // Worker 1 may be staging in its share right now: a restart of worker 2 leaves it alone.
  for (const d of server.drives) expect(existsSync(planted(d, "w1"))).toBe(true);
  const bucket = bucketName("procs-tmp");
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "v".repeat(300_000) }));
  expect(await text("k", bucket)).toBe("v".repeat(300_000));
});

test("several processes refuse a port another program listens on, even one sharing it by SO_REUSEPORT", async () => {
  // As another Cairn of several processes would: the workers' own SO_REUSEPORT binds would succeed.
  // (Bun.listen takes reusePort though its types do not say so.)
  const options = { hostname: "127.0.0.1", port: 0, reusePort: true, socket: { data() {} } };
  const other = Bun.listen(options);
  try {
    const r = await run(
      [process.execPath, "src/main.ts", "server", tempDir(), "--address", `127.0.0.1:${other.port}`, "--console-address", "127.0.0.1:0"],
      { env: { CAIRN_PROCESSES: "2", CAIRN_ROOT_USER: ACCESS_KEY, CAIRN_ROOT_PASSWORD: SECRET_KEY }, allowFailure: true, timeoutMs: 30_000 },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("already in use");
  } finally {
    other.stop(true);
  }
});

test("SIGTERM stops every process and the primary exits 0", async () => {
  const before = workers();
  expect(before).toHaveLength(2);
  expect(await server.stop()).toBe(0);
  for (const pid of before) expect(alive(pid)).toBe(false);
});

test("workers whose primary was killed stop on their own", async () => {
  const lone = await startServer({ drives: 2, env: { CAIRN_PROCESSES: "2" } });
  const children = () => workersOf(lone.proc.pid);
  await until(() => children().length === 2);
  const pids = children();
  lone.proc.kill("SIGKILL");
  await until(() => pids.every((pid) => !alive(pid)));
});
