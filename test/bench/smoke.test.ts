/**
 * Smoke tests of scripts/bench.ts: tiny cells against real servers (Cairn on temp drives, the
 * s3rver mock), checking the JSON it writes is complete and error-free. No timing assertions.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "cairn-bench-smoke-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Cell {
  cell: string;
  ops: number;
  errors: number;
  errorSamples: string[];
  opsPerSec: number;
  itemsPerSec: number;
  serverCpuSec: number | null;
  peakRssMb: number | null;
  genCpuShare: number;
  ratios: { http?: number; peer?: number };
  generator: string;
  skipped?: string;
}
interface Report {
  targets: { name: string; startupMs?: number; idleRssMb?: number; cells: Cell[]; error?: string }[];
  ceilings: { cpu: { md5BytesPerSec: number; xxh3BytesPerSec: number } | null; disk: unknown[]; http: Cell[] };
  generator: { ranking: string[]; fetchOps: number; rawOps: number | null };
  checks: { target: string; pass: boolean | null }[];
}

async function bench(name: string, args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const json = join(work, `${name}.json`);
  const proc = Bun.spawn([process.execPath, join(repo, "scripts/bench.ts"), ...args, "--dir", work, "--json", json], {
    cwd: repo,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) process.stderr.write(stderr);
  return { code, report: JSON.parse(readFileSync(json, "utf8")) as Report, stderr };
}

function expectWorked(c: Cell | undefined): Cell {
  expect(c).toBeDefined();
  expect(c!.skipped).toBeUndefined();
  expect(c!.errorSamples).toEqual([]);
  expect(c!.errors).toBe(0);
  expect(c!.ops).toBeGreaterThan(0);
  return c!;
}

describe("bench smoke", () => {
  test("Cairn on 4 temp drives: PUT, GET, degraded GET, DELETE and LIST cells all succeed", async () => {
    const { code, report, stderr } = await bench("cairn", [
      "--layouts", "4",
      "--cells", "put:4k:1,get:4k:1,dget:4k:1,delete:4k:1,list:nested:1",
      "--seconds", "0.3",
      "--warmup", "0.3",
      "--list-keys", "50",
      "--no-ceilings",
      "--generator", "fetch",
    ]);
    expect(stderr).not.toContain("skipped");
    expect(code).toBe(0);
    const run = report.targets.find((t) => t.name === "cairn-4")!;
    expect(run.error).toBeUndefined();
    expect(run.startupMs).toBeGreaterThan(0);
    expect(run.idleRssMb).toBeGreaterThan(0);
    const byId = new Map(run.cells.map((c) => [c.cell, c]));
    for (const id of ["put:4k:1", "get:4k:1", "dget:4k:1", "delete:4k:1"]) {
      const c = expectWorked(byId.get(id));
      expect(c.serverCpuSec).not.toBeNull();
      expect(c.peakRssMb).toBeGreaterThan(0);
    }
    // A LIST op is a page: the 50 nested keys come back in one page per walk.
    const list = expectWorked(byId.get("list:nested:1"));
    expect(list.itemsPerSec / list.opsPerSec).toBeCloseTo(50, 0);
    // After the degraded cell the drive is back where it was.
    expect(stderr).not.toContain("ENOENT");
  }, 120_000);

  test("s3rver beside the HTTP and CPU ceilings: ratios are filled in", async () => {
    const { code, report } = await bench("peer", ["--layouts", "", "--peer", "s3rver", "--cells", "get:4k:1,head:4k:1", "--seconds", "0.3", "--warmup", "0"]);
    expect(code).toBe(0);
    // Every generator was measured; fetch, which runs anything, ends the ranking.
    expect(report.generator.fetchOps).toBeGreaterThan(0);
    expect(report.generator.rawOps).toBeGreaterThan(0);
    expect(report.generator.ranking.at(-1)).toBe("fetch");
    expect(report.ceilings.cpu!.md5BytesPerSec).toBeGreaterThan(0);
    expect(report.ceilings.cpu!.xxh3BytesPerSec).toBeGreaterThan(0);
    expect(report.ceilings.http.map((c) => c.cell).sort()).toEqual(["get:4k:1", "head:4k:1"]);
    const run = report.targets.find((t) => t.name === "s3rver")!;
    for (const id of ["get:4k:1", "head:4k:1"]) {
      const c = expectWorked(run.cells.find((x) => x.cell === id));
      expect(c.ratios.http).toBeGreaterThan(0);
      // 0.3 s cells: wrk takes whole seconds only, so the first other generator ranked ran them.
      expect(c.generator).toBe(report.generator.ranking.find((g) => g !== "wrk")!);
    }
    expect(report.checks.length).toBe(11);
  }, 120_000);

  test("SIGINT mid-cell ends the server it started and removes its temp drives", async () => {
    const dir = join(work, "sigint");
    mkdirSync(dir);
    const args = ["--layouts", "1", "--cells", "put:4k:1", "--seconds", "60", "--no-ceilings", "--generator", "fetch", "--dir", dir];
    const proc = Bun.spawn([process.execPath, join(repo, "scripts/bench.ts"), ...args], { cwd: repo, stdout: "ignore", stderr: "pipe" });
    void new Response(proc.stderr).text();
    let endpoint: string | undefined;
    for (let i = 0; i < 600 && !endpoint; i++) {
      await Bun.sleep(50);
      const [run] = readdirSync(dir);
      const log = run ? join(dir, run, "cairn-1", "server.log") : "";
      endpoint = log && existsSync(log) ? /Cairn S3: (http:\/\/\S+)/.exec(readFileSync(log, "utf8"))?.[1] : undefined;
    }
    expect(endpoint).toBeDefined();
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
    const answered = await fetch(`${endpoint}/minio/health/live`).then(() => true, () => false);
    expect(answered).toBe(false);
  }, 60_000);
});
