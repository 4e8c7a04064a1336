/** The wrk load generator: which cells it takes, and a real run cycling through a cell's keys. */
import { afterAll, describe, expect, test } from "bun:test";
import { pickGenerator } from "../../scripts/bench/generator";
import { luaScript, runWrk, wrkAvailable, wrkCanRun } from "../../scripts/bench/wrk";
import type { LoadSpec } from "../../scripts/bench/types";

const base: LoadSpec = { endpoint: "http://x", accessKey: "a", secretKey: "s", op: "get", bucket: "b", keyPrefix: "k", keyCount: 4, size: 64 << 20, concurrency: 4, seconds: 2 };

test("wrk takes whole-object GETs of any size for whole seconds; not HEAD, ranges, PUTs or fractions of a second", () => {
  expect(wrkCanRun(base)).toBe(true);
  expect(wrkCanRun({ ...base, size: 4096 })).toBe(true);
  expect(wrkCanRun({ ...base, op: "head" })).toBe(false);
  expect(wrkCanRun({ ...base, op: "put" })).toBe(false);
  expect(wrkCanRun({ ...base, range: { start: 0, length: 10 } })).toBe(false);
  expect(wrkCanRun({ ...base, seconds: 0.5 })).toBe(false);
  // Large GETs skip raw (64 KiB at most) and go to wrk where it is ranked; else to fetch.
  if (wrkAvailable()) expect(pickGenerator(base, ["raw", "wrk", "fetch"])).toBe("wrk");
  expect(pickGenerator(base, ["raw", "fetch"])).toBe("fetch");
});

test("one key is wrk's own request; several are requested in turn", () => {
  expect(luaScript("GET", ["/b/k0?X-Amz-Signature=1"])).not.toContain("request = function");
  const script = luaScript("GET", ["/b/k0?a=1", "/b/k1?a=2"]);
  expect(script).toContain('paths = { "/b/k0?a=1", "/b/k1?a=2" }');
  expect(script).toContain("request = function");
});

// wrk is a Debian package that scripts/setup.sh --test installs; without it the bench uses
// the other generators and this run has nothing to drive.
describe.skipIf(!wrkAvailable())("a real wrk run", () => {
  const body = new Uint8Array(100_000).fill(5);
  const seen = new Map<string, number>();
  const server = Bun.serve({
    port: 0,
    fetch(req) {
      const u = new URL(req.url);
      if (!u.searchParams.has("X-Amz-Signature")) return new Response("unsigned", { status: 400 });
      seen.set(u.pathname, (seen.get(u.pathname) ?? 0) + 1);
      return new Response(body);
    },
  });
  afterAll(() => server.stop(true));

  test("requests every key of the cell, each presigned, and counts whole bodies", async () => {
    const r = await runWrk({ ...base, endpoint: `http://127.0.0.1:${server.port}`, size: body.length, seconds: 1 }, 2);
    expect(r.errors).toBe(0);
    expect(r.generator).toBe("wrk");
    expect([...seen.keys()].sort()).toEqual(["/b/k0", "/b/k1", "/b/k2", "/b/k3"]);
    for (const n of seen.values()) expect(n).toBeGreaterThan(10);
    expect(r.bytes).toBe(r.ops * body.length);
  });
});
