/**
 * The measurement behind erasure-memory.test.ts, run in a fresh process: a test runner's process
 * carries the heap of every file that ran before, so its RSS says little about this path.
 * Prints one JSON line: RSS growth (bytes) over the PUT, over PUT+GET, and the checks' inputs.
 */
import { openErasureLayer } from "../../src/erasure/index";
import { generated, meta, tempDrives } from "../suites/helpers";

const size = Number(process.argv[2]);

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
  const info = await layer.putObject("mem", "huge", generated(size), { size, metadata: meta(), versioning: "unversioned" });
  const putPeak = s.peak();
  const got = await layer.getObject("mem", "huge");
  const hasher = new Bun.CryptoHasher("md5");
  let n = 0;
  for await (const chunk of got.body) {
    hasher.update(chunk);
    n += chunk.length;
  }
  s.stop();
  const result = { size: info.size, read: n, etag: info.etag, md5: hasher.digest("hex"), putGrowth: putPeak - base, growth: s.peak() - base };
  console.log(JSON.stringify(result));
} finally {
  await layer.close();
  t.cleanup();
}
