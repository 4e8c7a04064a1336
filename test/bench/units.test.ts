/** The bench's pure parts: cell selection and order, sizes, percentiles, ratios, target checks and which cells warm up. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cell, defaultIds, fullMatrix, orderCells, selectCells } from "../../scripts/bench/cells";
import { addRatios, checks, formatCeilings, peerRun, type Ceilings, type TargetRun } from "../../scripts/bench/report";
import { skippedResult, specFor, toCellResult, warmupSpec, type CellResult, type RunContext } from "../../scripts/bench/runner";
import { parseSize, sizeFromPath, sizeLabel } from "../../scripts/bench/sizes";
import { LatencyLog, percentile } from "../../scripts/bench/stats";

describe("cells", () => {
  test("a comma list of exact ids selects exactly those cells", () => {
    expect(selectCells(fullMatrix(), "put:4k:32,get:64m:4").map((c) => c.id)).toEqual(["put:4k:32", "get:64m:4"]);
  });

  test("globs and short patterns widen over the missing parts", () => {
    const puts = selectCells(fullMatrix(), "put");
    expect(puts.length).toBeGreaterThan(10);
    expect(puts.every((c) => c.op === "put")).toBe(true);
    expect(selectCells(fullMatrix(), "get:*:32").map((c) => c.id)).toEqual(["get:4k:32", "get:64k:32", "get:1m:32", "get:64m:32"]);
    expect(selectCells(fullMatrix(), "list:nested").map((c) => c.id)).toEqual(["list:nested:1", "list:nested:8", "list:nested:32"]);
  });

  test("no cell of the full matrix keeps more than 2 GiB in flight", () => {
    for (const c of fullMatrix()) expect(c.size * c.concurrency).toBeLessThanOrEqual(2 * 1024 ** 3);
    expect(fullMatrix().some((c) => c.id === "put:256m:8")).toBe(true);
    expect(fullMatrix().some((c) => c.id === "put:256m:32")).toBe(false);
  });

  test("every default id names a known cell, and issue #7's headline cells are in the main matrix", () => {
    const known = new Set(fullMatrix().map((c) => c.id));
    for (const kind of ["cairn-main", "cairn-other", "peer", "external"] as const) {
      for (const id of defaultIds(kind)) expect(known.has(id)).toBe(true);
    }
    const main = new Set(defaultIds("cairn-main"));
    for (const id of ["get:4k:32", "put:4k:32", "put:64m:4", "get:64m:4", "get:1m:32", "dget:1m:32", "list:flat:1", "put:256m:8"]) {
      expect(main.has(id)).toBe(true);
    }
  });

  test("order: by size, writes before reads, degraded after healthy, DELETE after reads, LIST last", () => {
    const ids = orderCells(["list:flat:1", "delete:4k:32", "get:1m:32", "dget:1m:32", "get:4k:32", "put:4k:32", "put:1m:32"].map(cell)).map((c) => c.id);
    expect(ids).toEqual(["put:4k:32", "get:4k:32", "delete:4k:32", "put:1m:32", "get:1m:32", "dget:1m:32", "list:flat:1"]);
  });
});

describe("sizes and percentiles", () => {
  test("labels parse and print back", () => {
    expect(parseSize("4k")).toBe(4096);
    expect(parseSize("256m")).toBe(256 * 1024 * 1024);
    expect(sizeLabel(64 * 1024 * 1024)).toBe("64m");
    expect(sizeLabel(1000)).toBe("1000");
    expect(() => parseSize("4 kb")).toThrow();
    expect(sizeFromPath("/bench/obj/64k/12")).toBe(65536);
    expect(sizeFromPath("/bench?list-type=2")).toBeUndefined();
  });

  test("nearest-rank percentiles", () => {
    const s = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(500);
    expect(percentile(s, 99)).toBe(990);
    expect(percentile(s, 99.9)).toBe(999);
    expect(percentile([], 50)).toBeNaN();
    const log = new LatencyLog();
    for (let i = 40_000; i >= 1; i--) log.add(i);
    expect(log.summary().p50).toBe(20_000);
    expect(log.summary().mean).toBe(20_000.5);
  });
});

function result(target: string, id: string, o: { ops: number; seconds?: number; bytes?: number; items?: number }): CellResult {
  const lat = { p50: 1, p99: 2, p999: 3, mean: 1 };
  const s = o.seconds ?? 1;
  return toCellResult(target, cell(id), { ops: o.ops, errors: 0, bytes: o.bytes ?? 0, items: o.items ?? o.ops, elapsedMs: s * 1000, latencyMs: lat, genCpuSec: 0.5, generator: "fetch", errorSamples: [] });
}

describe("ratios and issue #7 checks", () => {
  const MB = 1e6;
  const cairn: TargetRun = {
    name: "cairn-4",
    kind: "cairn",
    drives: 4,
    ec: { k: 2, m: 2 },
    startupMs: 250,
    idleRssMb: 120,
    cells: [
      result("cairn-4", "get:4k:32", { ops: 3000 }),
      result("cairn-4", "put:4k:32", { ops: 700 }),
      result("cairn-4", "put:64m:4", { ops: 10, bytes: 600 * MB }),
      result("cairn-4", "get:1m:32", { ops: 1000 }),
      result("cairn-4", "dget:1m:32", { ops: 400 }),
      { ...result("cairn-4", "list:flat:1", { ops: 30, items: 30_000 }), namespaceKeys: 100_000 },
      skippedResult("cairn-4", cell("get:64m:4"), "not today"),
    ],
  };
  const peer: TargetRun = { name: "s3rver", kind: "s3rver", drives: 0, cells: [result("s3rver", "get:4k:32", { ops: 200 }), result("s3rver", "put:4k:32", { ops: 1000 })] };
  const ceilings: Ceilings = {
    http: new Map([
      ["get:4k:32", result("http-ceiling", "get:4k:32", { ops: 10_000 })],
      ["get:1m:32", result("http-ceiling", "get:1m:32", { ops: 2000 })],
    ]),
    disk: new Map([[4, { drives: 4, smallOpsPerSec: 1000, smallSize: 4096, committers: 32, seqBytesPerSec: 2000 * MB, seqBufferedBytesPerSec: 1500 * MB, seqDirectBytesPerSec: 2000 * MB }]]),
    list: new Map([[4, { drives: 4, walked: 3, keys: 5000, threads: 2, keysPerSec: 40_000 }]]),
    cpu: { cores: 2, md5BytesPerSec: 800 * MB, xxh3BytesPerSec: 1, ecEncodeBytesPerSec: null, ecNote: "" },
  };
  addRatios([cairn, peer], ceilings);
  const byTarget = new Map(checks([cairn, peer], ceilings).map((c) => [c.target.split(" ≥")[0]!.split(" <")[0], c]));

  test("ratios: ×http, ×disk (small by objects, large by k/(k+m) of sequential), ×s3rver", () => {
    const get = cairn.cells[0]!;
    expect(get.ratios.http).toBeCloseTo(0.3);
    expect(get.ratios.peer).toBeCloseTo(15);
    expect(cairn.cells[1]!.ratios.disk).toBeCloseTo(0.7);
    // 600 MB/s against 2000 MB/s × 2/4 = 1000 MB/s of user data.
    expect(cairn.cells[2]!.ratios.disk).toBeCloseTo(0.6);
    expect(cairn.cells[6]!.ratios).toEqual({});
  });

  test("LIST is set beside the listing ceiling: ×disk and the check's text", () => {
    const list = cairn.cells[5]!;
    expect(list.ratios.disk).toBeCloseTo(list.itemsPerSec / 40_000);
    const pct = `${((list.itemsPerSec / 40_000) * 100).toFixed(0)}%`;
    expect(byTarget.get("LIST 100k")!.measured).toBe(`${list.itemsPerSec.toFixed(0)} keys/s, ${pct} of the listing ceiling's 40000 keys/s`);
    expect(formatCeilings(ceilings)).toContain("listing, 4 drive dir(s): 40000 keys/s (statx + open + read + close of each key's xl.meta on the 3 drive(s) a listing reads, 2 threads, 5000 keys)");
  });

  test("checks pass, fail, or say n/a when their cell did not run", () => {
    expect(byTarget.get("GET 4 KiB c=32")!.pass).toBe(true);
    expect(byTarget.get("PUT 4 KiB c=32")!.pass).toBe(true);
    // min(1000 MB/s, 800 MB/s × 2 cores) = 1000; 600 is 60%.
    expect(byTarget.get("PUT 64 MiB c=4")!.pass).toBe(false);
    expect(byTarget.get("GET 64 MiB c=4")!.pass).toBeNull();
    expect(byTarget.get("GET 1 MiB c=32 degraded")!.pass).toBe(false);
    expect(byTarget.get("LIST 100k")!.pass).toBe(true);
    expect(byTarget.get("vs s3rver")!.pass).toBe(true);
    // PUT 4 KiB: 700 against s3rver's 1000; GET 4 KiB (15×) is judged by the 10× target only.
    expect(byTarget.get("vs s3rver, every other cell")!.pass).toBe(false);
    expect(byTarget.get("vs s3rver, every other cell")!.measured).toBe("min 0.70× (put:4k:32) over 1 cells");
    expect(byTarget.get("idle RSS")!.pass).toBe(false);
    expect(byTarget.get("PUT 256 MiB c=8 peak RSS")!.pass).toBeNull();
    expect(byTarget.get("start-up to /minio/health/live")!.pass).toBe(true);
  });

  test("the 256 MiB peak-RSS target is judged even when that cell's PUTs failed", () => {
    const failed = { ...result("cairn-4", "put:256m:8", { ops: 0 }), errors: 8, peakRssMb: 439 };
    const c = checks([{ ...cairn, cells: [failed] }], ceilings).find((x) => x.target.startsWith("PUT 256 MiB"))!;
    expect(c.pass).toBe(false);
    expect(c.measured).toContain("8 errors");
  });

  test("a LIST over a namespace smaller than 100k keys is reported but not judged", () => {
    const small: TargetRun = { ...cairn, cells: [{ ...result("cairn-4", "list:flat:1", { ops: 30, items: 30_000 }), namespaceKeys: 5000 }] };
    const list = checks([small], ceilings).find((c) => c.target.startsWith("LIST"))!;
    expect(list.pass).toBeNull();
    expect(list.measured).toContain("5000 keys");
  });

  test("the comparison column is s3rver when it ran, else an external endpoint measured beside Cairn", () => {
    const ext: TargetRun = { name: "minio:9000", kind: "external", drives: 0, cells: [result("minio:9000", "get:4k:32", { ops: 6000 })] };
    expect(peerRun([cairn, peer, ext])?.name).toBe("s3rver");
    expect(peerRun([cairn, ext])?.name).toBe("minio:9000");
    expect(peerRun([ext])).toBeUndefined();
    const mine: TargetRun = { ...cairn, cells: [result("cairn-4", "get:4k:32", { ops: 3000 })] };
    addRatios([mine, ext], { http: new Map(), disk: new Map() });
    expect(mine.cells[0]!.ratios.peer).toBeCloseTo(0.5);
    // The "vs s3rver" target is judged against s3rver only.
    expect(checks([mine, ext], { http: new Map(), disk: new Map() }).find((c) => c.target.startsWith("vs s3rver"))!.pass).toBeNull();
  });
});

describe("warm-up", () => {
  // specFor writes the body file of a 1 MiB+ cell.
  const warmRoot = mkdtempSync(join(tmpdir(), "bench-warm-"));
  afterAll(() => rmSync(warmRoot, { recursive: true, force: true }));
  const ctx = (warmupSeconds: number): RunContext => ({
    root: warmRoot,
    seconds: 3,
    warmupSeconds,
    listKeys: 100,
    prefillSeconds: 1,
    generators: ["fetch"],
    bucket: "b",
    log: () => {},
  });

  test("reads up to 1 MiB repeat the cell's own load; PUTs warm up on a prefix of their own", async () => {
    const c = ctx(2);
    for (const id of ["get:4k:32", "head:4k:1", "getr:1m:32", "get:1m:8"]) {
      const spec = await specFor(cell(id), c);
      expect(warmupSpec(spec, c)).toEqual({ ...spec, seconds: 2 });
    }
    const put = await specFor(cell("put:4k:32"), c);
    expect(warmupSpec(put, c)).toEqual({ ...put, seconds: 2, keyPrefix: `warm/${put.keyPrefix}` });
  });

  test("LIST warms up on a namespace of its own, so the measured one's listing cache stays cold", async () => {
    const c = ctx(2);
    for (const id of ["list:flat:1", "list:nested:1"]) {
      const spec = await specFor(cell(id), c);
      const warm = warmupSpec(spec, c)!;
      expect(warm).toEqual({ ...spec, seconds: 2, keyPrefix: `warm/${spec.keyPrefix}`, list: { ...spec.list!, prefix: `warm/${spec.keyPrefix}` } });
      expect(warm.keyStyle).toBe(spec.keyStyle);
    }
  });

  test("none for objects over 1 MiB, DELETE, multipart, or --warmup 0", async () => {
    const c = ctx(2);
    for (const id of ["get:64m:4", "put:64m:4", "mpu:64m:4", "delete:4k:32"]) {
      expect(warmupSpec(await specFor(cell(id), c), c)).toBeNull();
    }
    expect(warmupSpec(await specFor(cell("get:4k:32"), ctx(0)), ctx(0))).toBeNull();
  });
});
