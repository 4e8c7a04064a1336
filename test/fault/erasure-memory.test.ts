/**
 * Memory stays flat: a large PUT and GET through the erasure layer (4 drives EC:2) must not
 * grow RSS by more than ~100 MiB, because bodies are streamed block by block, never buffered.
 */
import { expect, test } from "bun:test";
import { openErasureLayer } from "../../src/erasure/index";
import { generated, meta, tempDrives } from "../suites/helpers";

/** CAIRN_TEST_MEMORY_MIB=2048 measures the 2 GiB case (slow; not the default). */
const SIZE = Number(process.env.CAIRN_TEST_MEMORY_MIB ?? 512) * 1024 * 1024;
const LIMIT = 100 * 1024 * 1024;

function sampler(): { peak: () => number; stop: () => void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    peak: () => Math.max(peak, process.memoryUsage().rss),
    stop: () => clearInterval(timer),
  };
}

test(`a ${Math.round(SIZE / 2 ** 20)} MiB PUT and GET keep RSS growth under 100 MiB`, async () => {
  const t = tempDrives(4);
  const layer = await openErasureLayer({ drives: t.drives, parity: 2 });
  try {
    await layer.makeBucket("mem");
    // Warm up first: loading the native codec and JIT-compiling the path are one-off costs.
    await layer.putObject("mem", "warm", generated(8 << 20), { size: 8 << 20, metadata: meta(), versioning: "unversioned" });
    for await (const _ of (await layer.getObject("mem", "warm")).body);
    Bun.gc(true);
    const base = process.memoryUsage().rss;
    const s = sampler();
    const info = await layer.putObject("mem", "huge", generated(SIZE), { size: SIZE, metadata: meta(), versioning: "unversioned" });
    expect(info.size).toBe(SIZE);
    const putPeak = s.peak();
    const got = await layer.getObject("mem", "huge");
    const hasher = new Bun.CryptoHasher("md5");
    let n = 0;
    for await (const chunk of got.body) {
      hasher.update(chunk);
      n += chunk.length;
    }
    s.stop();
    expect(n).toBe(SIZE);
    expect(hasher.digest("hex")).toBe(info.etag);
    const growth = s.peak() - base;
    console.log(`RSS growth: PUT ${((putPeak - base) / 2 ** 20).toFixed(1)} MiB, PUT+GET ${(growth / 2 ** 20).toFixed(1)} MiB`);
    expect(growth).toBeLessThan(LIMIT);
  } finally {
    await layer.close();
    t.cleanup();
  }
}, 300_000);
