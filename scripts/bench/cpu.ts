/**
 * The CPU ceiling, per core: MD5 (the ETag, the PUT bottleneck), xxHash3 (bitrot candidate) and
 * erasure encode through src/ec when it exists. Single-threaded, 1 MiB blocks.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface CpuCeiling {
  cores: number;
  md5BytesPerSec: number;
  xxh3BytesPerSec: number;
  /** 4+2 encode input bytes per second, or null with the reason in ecNote. */
  ecEncodeBytesPerSec: number | null;
  ecNote: string;
}

const BLOCK = 1 << 20;

function timeIt(bytes: number, work: () => void): number {
  const t0 = performance.now();
  work();
  return bytes / ((performance.now() - t0) / 1000);
}

function randomBlock(): Uint8Array {
  const b = new Uint8Array(BLOCK);
  for (let off = 0; off < BLOCK; off += 65536) crypto.getRandomValues(b.subarray(off, off + 65536));
  return b;
}

type EcModule = typeof import("../../src/ec/index.ts");

/** Imported lazily: a machine without liberasurecode still gets the rest of the bench. */
async function ecThroughput(repo: string, block: Uint8Array, rounds: number): Promise<[number | null, string]> {
  const index = join(repo, "src/ec/index.ts");
  if (!existsSync(index)) return [null, "src/ec not built yet"];
  let codec: ReturnType<EcModule["createCodec"]> | undefined;
  try {
    const ec = (await import(index)) as EcModule;
    codec = ec.createCodec(4, 2);
    // One reused output buffer, as the PUT path recycles its pool: fresh output buffers made
    // this ceiling a measure of page faults, not of encoding.
    const into = new Uint8Array(codec.encodedSize(block.length));
    codec.encode(block, into); // warm-up: the first call loads the backend
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) codec.encode(block, into);
    return [(rounds * BLOCK) / ((performance.now() - t0) / 1000), `${codec.algorithm}, 1 MiB blocks, reused output`];
  } catch (err) {
    return [null, `src/ec failed: ${err instanceof Error ? err.message : String(err)}`];
  } finally {
    codec?.close();
  }
}

export async function measureCpu(repo: string): Promise<CpuCeiling> {
  const block = randomBlock();
  const rounds = 256;
  const md5BytesPerSec = timeIt(rounds * BLOCK, () => {
    const h = new Bun.CryptoHasher("md5");
    for (let i = 0; i < rounds; i++) h.update(block);
    h.digest();
  });
  let sink = 0n;
  const xxh3BytesPerSec = timeIt(rounds * 8 * BLOCK, () => {
    for (let i = 0; i < rounds * 8; i++) sink ^= BigInt(Bun.hash.xxHash3(block));
  });
  const [ecEncodeBytesPerSec, ecNote] = await ecThroughput(repo, block, rounds);
  return { cores: navigator.hardwareConcurrency, md5BytesPerSec, xxh3BytesPerSec: sink === -1n ? 0 : xxh3BytesPerSec, ecEncodeBytesPerSec, ecNote };
}
