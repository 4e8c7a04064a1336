import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureListCeiling } from "../../scripts/bench/list-ceiling";
import { listingWidth } from "../../src/erasure/walk-merge";

const root = mkdtempSync(join(tmpdir(), "cairn-list-ceiling-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("a listing reads m + 1 drives, or every drive where m + 1 is below k", () => {
  expect(listingWidth(1, 1)).toBe(1);
  expect(listingWidth(4, 2)).toBe(3);
  expect(listingWidth(8, 4)).toBe(5);
  expect(listingWidth(6, 5)).toBe(6); // k = 5 > m + 1 = 2
  expect(listingWidth(16, 12)).toBe(16);
});

test("the listing ceiling probes a namespace of its own on the drives a listing reads, on every core", async () => {
  const c = await measureListCeiling(root, { drives: 4, parity: 2, keys: 300, seconds: 0.2 });
  expect(c).toMatchObject({ drives: 4, walked: 3, keys: 300, threads: navigator.hardwareConcurrency });
  expect(c.keysPerSec).toBeGreaterThan(0);
  const made = readdirSync(join(root, "list-ceiling-4"));
  expect(made.sort()).toEqual(["d1", "d2", "d3"]);
  for (const d of made) expect(readdirSync(join(root, "list-ceiling-4", d, "bucket"))).toHaveLength(300);
  expect(statSync(join(root, "list-ceiling-4", "d3", "bucket", "299", "~xl.meta")).size).toBe(384);
});
