/**
 * `cairn selftest`: proves the erasure codec works on this machine (and inside the compiled
 * binary, with the embedded libraries): random 1 MiB blocks are encoded, shards dropped,
 * decoded and rebuilt for a few geometries, and encode/decode throughput is printed.
 */
import { type Codec, createCodec, libraryInfo } from "../ec";
import { parseFlags, UsageError } from "./args";

const GEOMETRIES: [number, number][] = [
  [2, 1],
  [4, 2],
  [8, 4],
  [12, 4],
];
const BLOCK = 1 << 20;

/** Matches the `Command` shape of ./index without importing it (the command table imports us). */
export const selftestCommand = {
  summary: "encode, drop fragments and decode through liberasurecode",
  async run(args: string[]): Promise<number> {
    let blocks: number;
    try {
      const { values } = parseFlags(args, { blocks: { type: "string", default: "64" } });
      blocks = Number(values.blocks);
      if (!Number.isInteger(blocks) || blocks < 1) throw new UsageError(`--blocks must be a positive integer, got ${values.blocks}`);
    } catch (err) {
      process.stderr.write(`cairn selftest: ${(err as Error).message}\nUsage: cairn selftest [--blocks N]\n`);
      return 2;
    }
    try {
      const info = libraryInfo();
      const isal = info.embeddedIsal ? ", embedded ISA-L" : "";
      process.stdout.write(`liberasurecode ${info.version} (${info.source} copy${isal})\n`);
      const samples = Array.from({ length: 4 }, () => randomBlock(BLOCK));
      let failed = 0;
      for (const [k, m] of GEOMETRIES) failed += checkGeometry(createCodec(k, m), { samples, blocks });
      process.stdout.write(failed === 0 ? "selftest passed\n" : `selftest FAILED (${failed} geometries)\n`);
      return failed === 0 ? 0 : 1;
    } catch (err) {
      process.stderr.write(`cairn selftest: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  },
};

interface Workload {
  samples: Uint8Array[];
  blocks: number;
}

/** Returns 1 when the geometry failed (and says why), 0 when it passed. */
function checkGeometry(codec: Codec, work: Workload): number {
  const { dataShards: k, parityShards: m } = codec;
  const label = `${k}+${m}`.padEnd(5);
  try {
    const into = new Uint8Array((k + m) * (codec.shardSize(BLOCK) + 15)); // recycled, as the erasure layer does
    const encoded = timed(work.blocks, (i) => codec.encode(work.samples[i % work.samples.length]!, into));
    const shards = work.samples.map((block) => codec.encode(block));
    const lost = Array.from({ length: work.blocks }, (_, i) => lose(k + m, m, i));
    const degraded = lost.map((l, i) => shards[i % shards.length]!.map((s, idx) => (l.includes(idx) ? null : s)));
    const decoded = timed(work.blocks, (i) => codec.decode(degraded[i]!, BLOCK));
    degraded.forEach((d, i) => {
      const block = codec.decode(d, BLOCK);
      if (!Buffer.from(block).equals(work.samples[i % shards.length]!)) throw new Error(`block ${i} decoded wrong with shards ${lost[i]} lost`);
    });
    checkRebuild(codec, shards[0]!);
    const gbps = (seconds: number) => ((work.blocks * BLOCK) / seconds / 1e9).toFixed(2).padStart(6);
    process.stdout.write(
      `  ${label} ${codec.algorithm.padEnd(22)} encode ${gbps(encoded)} GB/s   decode (${m} lost) ${gbps(decoded)} GB/s (per core)   rebuild ok\n`,
    );
    return 0;
  } catch (err) {
    process.stdout.write(`  ${label} FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    codec.close();
  }
}

function checkRebuild(codec: Codec, shards: Uint8Array[]): void {
  for (let index = 0; index < shards.length; index++) {
    const [rebuilt] = codec.reconstruct(shards.map((s, i) => (i === index ? null : s)), BLOCK, [index]);
    if (!rebuilt || !Buffer.from(rebuilt).equals(shards[index]!)) throw new Error(`shard ${index} rebuilt wrong`);
  }
}

/** m distinct shard indices, always including a data shard so decoding really runs the codec. */
function lose(total: number, m: number, seed: number): number[] {
  const lost = new Set<number>([seed % Math.max(1, total - m)]);
  while (lost.size < m) lost.add(Math.floor(Math.random() * total));
  return [...lost];
}

/** CPU seconds (not wall time) for `count` calls after a short warm-up: a per-core figure that a busy machine does not distort much. */
function timed(count: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(count, 16); i++) fn(i);
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) fn(i);
  const used = process.cpuUsage(start);
  return Math.max(1e-6, (used.user + used.system) / 1e6);
}

function randomBlock(size: number): Uint8Array {
  const block = new Uint8Array(size);
  for (let off = 0; off < size; off += 65536) crypto.getRandomValues(block.subarray(off, off + 65536));
  return block;
}
