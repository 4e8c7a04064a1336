/**
 * Memory stays flat: a large PUT and GET through the erasure layer (4 drives EC:2) must not
 * grow RSS by more than ~100 MiB, because bodies are streamed block by block, never buffered.
 * Measured in a fresh process (erasure-memory.run.ts), so earlier test files' heaps do not count.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

/** CAIRN_TEST_MEMORY_MIB=2048 measures the 2 GiB case (slow; not the default). */
const SIZE = Number(process.env.CAIRN_TEST_MEMORY_MIB ?? 512) * 1024 * 1024;
const LIMIT = 100 * 1024 * 1024;

test(`a ${Math.round(SIZE / 2 ** 20)} MiB PUT and GET keep RSS growth under 100 MiB`, async () => {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "erasure-memory.run.ts"), String(SIZE)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(0);
  const r = JSON.parse(out.trim().split("\n").pop()!) as { size: number; read: number; etag: string; md5: string; putGrowth: number; growth: number };
  expect(r.size).toBe(SIZE);
  expect(r.read).toBe(SIZE);
  expect(r.md5).toBe(r.etag);
  console.log(`RSS growth: PUT ${(r.putGrowth / 2 ** 20).toFixed(1)} MiB, PUT+GET ${(r.growth / 2 ** 20).toFixed(1)} MiB`);
  expect(r.growth).toBeLessThan(LIMIT);
}, 300_000);
