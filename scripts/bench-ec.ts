/**
 * Erasure-codec throughput through bun:ffi, one core: `bun scripts/bench-ec.ts [--seconds S]`.
 * GB/s are of block (user) bytes per second of this process's CPU time (user + system), so the
 * figure is per core and holds on a shared, busy machine; 1 MiB blocks, as the erasure layer uses.
 */
import { parseArgs } from "node:util";
import { type Codec, createCodec, libraryInfo } from "../src/ec";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "1" }, json: { type: "boolean" } } });
const BLOCK = 1 << 20;
const budget = Number(values.seconds);

function rate(fn: () => unknown): number {
  for (let i = 0; i < 20; i++) fn(); // JIT and malloc warm-up
  let n = 0;
  const start = process.cpuUsage();
  let cpuSeconds = 0;
  while (cpuSeconds < budget) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    const used = process.cpuUsage(start);
    cpuSeconds = (used.user + used.system) / 1e6;
  }
  return (n * BLOCK) / cpuSeconds / 1e9;
}

function measure(codec: Codec) {
  const block = new Uint8Array(BLOCK);
  for (let off = 0; off < BLOCK; off += 65536) crypto.getRandomValues(block.subarray(off, off + 65536));
  const shards = codec.encode(block);
  const into = new Uint8Array(shards.length * (codec.shardSize(BLOCK) + 15));
  const m = codec.parityShards;
  const degraded = shards.map((s, i) => (i < m ? null : s)); // the first m data shards lost
  const oneLost = shards.map((s, i) => (i === 0 ? null : s));
  return {
    geometry: `${codec.dataShards}+${m}`,
    algorithm: codec.algorithm,
    encode: rate(() => codec.encode(block)),
    encodeInto: rate(() => codec.encode(block, into)),
    decodeHealthy: rate(() => codec.decode(shards, BLOCK)),
    decodeDegraded: rate(() => codec.decode(degraded, BLOCK)),
    viewsDegraded: rate(() => codec.dataViews(degraded, BLOCK)),
    viewsOneLost: rate(() => codec.dataViews(oneLost, BLOCK)),
    rebuildOne: rate(() => codec.reconstruct(shards.map((s, i) => (i === 0 ? null : s)), BLOCK, [0])),
  };
}

const results = [measure(createCodec(4, 2)), measure(createCodec(8, 4))];
if (values.json) {
  console.log(JSON.stringify({ library: libraryInfo(), results }, null, 2));
} else {
  const info = libraryInfo();
  console.log(`liberasurecode ${info.version} (${info.source}), 1 MiB blocks, GB/s of block bytes per CPU-second`);
  console.table(
    results.map((r) => ({
      geometry: r.geometry,
      algorithm: r.algorithm,
      encode: r.encode.toFixed(2),
      "encode (into reused)": r.encodeInto.toFixed(2),
      "decode (healthy)": r.decodeHealthy.toFixed(2),
      "decode (m data lost)": r.decodeDegraded.toFixed(2),
      "dataViews (m lost)": r.viewsDegraded.toFixed(2),
      "dataViews (1 lost)": r.viewsOneLost.toFixed(2),
      "rebuild 1 shard": r.rebuildOne.toFixed(2),
    })),
  );
}
