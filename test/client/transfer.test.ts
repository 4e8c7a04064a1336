/** Multipart with parallel parts, resume with --continue, retries on 5xx: against real Cairn. */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, bucketName, cleanupTemp, md5File, ROOT, startServer, tempDir, writeRandomFile, type ServerHandle } from "../e2e/harness";
import { expectOk, hostEnv, jsonLines, makeCli, startProxy, type Cli } from "./helpers";

setDefaultTimeout(120_000);

const MiB = 1 << 20;
const SMALL_PARTS = ["--part-size", "5MiB", "--multipart-threshold", "5MiB"];

let server: ServerHandle;
let cli: Cli;
let work: string;
let bucket: string;
let bigFile: string;

beforeAll(async () => {
  server = await startServer({ drives: 1 });
  cli = makeCli({ c: hostEnv(server.url) });
  work = tempDir("cairn-client-xfer-");
  bucket = bucketName("xfer");
  expectOk(await cli.here("mb", `c/${bucket}`));
  bigFile = join(work, "big.bin");
  await writeRandomFile(bigFile, 23 * MiB, 5);
});

afterAll(async () => {
  await server?.stop();
  cleanupTemp();
});

test("a large file goes up in parallel parts and comes back byte-identical", async () => {
  expectOk(await cli.here("cp", ...SMALL_PARTS, "--parallel", "3", "--quiet", bigFile, `c/${bucket}/big.bin`));
  const info = jsonLines(expectOk(await cli.here("stat", "--json", `c/${bucket}/big.bin`)))[0]!;
  expect(info.size).toBe(23 * MiB);
  expect(String(info.etag)).toMatch(/^[0-9a-f]{32}-5$/);
  const back = join(work, "big.back");
  // Parallel ranged GETs (5 MiB parts, 3 at a time) written at their offsets.
  expectOk(await cli.here("cp", ...SMALL_PARTS, "--download-parallel", "3", "--quiet", `c/${bucket}/big.bin`, back));
  expect(await md5File(back)).toBe(await md5File(bigFile));
  // diff recomputes the local multipart ETag: no difference reported.
  expect(expectOk(await cli.here("diff", bigFile, `c/${bucket}/big.bin`)).stdout).toBe("");
  // A streamed remote→remote copy of a multipart object (through another alias to the same server).
  const other = makeCli({ c: hostEnv(server.url), d: hostEnv(server.url.replace("127.0.0.1", "localhost")) });
  expectOk(await other.here("cp", ...SMALL_PARTS, "--quiet", `c/${bucket}/big.bin`, `d/${bucket}/big-copy.bin`));
  const copy = jsonLines(expectOk(await other.here("stat", "--json", `c/${bucket}/big-copy.bin`)))[0]!;
  expect(copy.size).toBe(23 * MiB);
  expect(copy.etag).toBe(info.etag);
});

test("an interrupted upload stays open and --continue uploads only the missing parts", async () => {
  let refuse = true;
  const proxy = startProxy(server.url, (req, url) =>
    refuse && req.method === "PUT" && url.searchParams.get("partNumber") === "4" ? new Response("no", { status: 400 }) : null,
  );
  try {
    const viaProxy = makeCli({ c: hostEnv(proxy.url) });
    const failed = await viaProxy.here("cp", ...SMALL_PARTS, "--parallel", "1", "--quiet", bigFile, `c/${bucket}/resumed.bin`);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("--continue");
    expect((await cli.here("stat", `c/${bucket}/resumed.bin`)).code).toBe(1);
    refuse = false;
    proxy.seen.length = 0;
    expectOk(await viaProxy.here("cp", ...SMALL_PARTS, "--continue", "--quiet", bigFile, `c/${bucket}/resumed.bin`));
    const partPuts = proxy.seen.filter((s) => s.startsWith("PUT") && s.includes("partNumber="));
    // Parts 1–3 were on the server with matching MD5s; only 4 and 5 travel again.
    expect(partPuts.map((s) => new URL(`http://x${s.slice(4)}`).searchParams.get("partNumber")).sort()).toEqual(["4", "5"]);
  } finally {
    proxy.stop();
  }
  const back = join(work, "resumed.back");
  expectOk(await cli.here("cp", "--quiet", `c/${bucket}/resumed.bin`, back));
  expect(await md5File(back)).toBe(await md5File(bigFile));
});

test("5xx answers are retried with backoff; a server that keeps failing gives exit 1", async () => {
  let failures = 2;
  const proxy = startProxy(server.url, () => (failures-- > 0 ? new Response("busy", { status: 503 }) : null));
  try {
    const viaProxy = makeCli({ c: hostEnv(proxy.url) });
    const ok = expectOk(await viaProxy.here("ls", "c"));
    expect(ok.stdout).toContain(`${bucket}/`);
    expect(proxy.seen).toHaveLength(3);
    failures = 1000;
    proxy.seen.length = 0;
    const down = await viaProxy.here("ls", "c");
    expect(down.code).toBe(1);
    expect(proxy.seen).toHaveLength(4);
  } finally {
    proxy.stop();
  }
});

test("a server that stops answering is a failed attempt: the request is retried", async () => {
  let hang = 1;
  const proxy = startProxy(server.url, () => (hang-- > 0 ? new Promise<Response>(() => undefined) : null));
  try {
    const viaProxy = makeCli({ c: hostEnv(proxy.url) }, { CAIRN_CLIENT_TIMEOUT_MS: "1500" });
    const ok = expectOk(await viaProxy.here("ls", "c"));
    expect(ok.stdout).toContain(`${bucket}/`);
    expect(proxy.seen).toHaveLength(2);
  } finally {
    proxy.stop();
  }
});

test("mirror --watch copies files written after it started, until SIGTERM", async () => {
  const src = join(work, "watched");
  mkdirSync(src);
  writeFileSync(join(src, "first.txt"), "first");
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), "mirror", "--watch", "--quiet", src, `c/${bucket}/w`], {
    env: { ...baseEnv(), ...cli.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const appears = async (key: string) => {
      // A generous bound: the shared test machine can be very slow; this is not a speed check.
      for (const until = Date.now() + 90_000; Date.now() < until; await Bun.sleep(100)) {
        if ((await cli.here("stat", `c/${bucket}/w/${key}`)).code === 0) return true;
      }
      return false;
    };
    expect(await appears("first.txt")).toBe(true);
    writeFileSync(join(src, "later.txt"), "written while watching");
    expect(await appears("later.txt")).toBe(true);
    expect(expectOk(await cli.here("cat", `c/${bucket}/w/later.txt`)).stdout).toBe("written while watching");
  } finally {
    proc.kill("SIGTERM");
  }
  expect(await proc.exited).toBe(0);
});

test("mirror goes on past an object it cannot copy, copies the rest, and exits 1 naming the failure", async () => {
  const src = join(work, "partly");
  mkdirSync(join(src, "sub"), { recursive: true });
  for (const name of ["a.txt", "refused.txt", "sub/c.txt"]) writeFileSync(join(src, name), `content of ${name}`);
  const proxy = startProxy(server.url, (req, url) =>
    req.method === "PUT" && url.pathname.endsWith("/refused.txt")
      ? new Response("<Error><Code>AccessDenied</Code><Message>no</Message></Error>", { status: 403 })
      : null,
  );
  try {
    const viaProxy = makeCli({ c: hostEnv(proxy.url) });
    const run = await viaProxy.here("mirror", "--quiet", "--workers", "1", src, `c/${bucket}/partly`);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("refused.txt");
    expect(run.stderr).toContain("1 of 3 copies failed");
  } finally {
    proxy.stop();
  }
  // Both objects after the refused one (in name order) were still copied.
  expect(expectOk(await cli.here("cat", `c/${bucket}/partly/a.txt`)).stdout).toBe("content of a.txt");
  expect(expectOk(await cli.here("cat", `c/${bucket}/partly/sub/c.txt`)).stdout).toBe("content of sub/c.txt");
  expect((await cli.here("stat", `c/${bucket}/partly/refused.txt`)).code).toBe(1);
});
