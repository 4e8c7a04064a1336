/**
 * Small-object commit rate of one LocalDrive against the raw rate of the same filesystem.
 *
 *   bun scripts/bench-drive.ts [--dir /path/on/the/disk] [--ops 2000] [--json]
 *
 * raw:        create + write 4 KiB + fsync + rename (+ fsync of the directory)
 * commit:     LocalDrive.commit(meta only, 4 KiB) — overwrite of existing keys, and new keys
 *             (a new directory per key, so its parent is fsynced too)
 * Each at 1 and 16 concurrent committers. The machine's disk is noisy: compare within a run.
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, open, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LocalDrive } from "../src/storage/index";

const { values: args } = parseArgs({
  options: { dir: { type: "string" }, ops: { type: "string", default: "2000" }, json: { type: "boolean", default: false } },
});
const OPS = Number(args.ops);
const PAYLOAD = new Uint8Array(4096).fill(42);

async function rawWrite(dir: string, name: string, syncDir: boolean): Promise<void> {
  const tmp = join(dir, `.tmp-${randomUUID()}`);
  const fh = await open(tmp, "w");
  await fh.write(PAYLOAD, 0, PAYLOAD.length, 0);
  await fh.sync();
  await fh.close();
  await rename(tmp, join(dir, name));
  if (syncDir) {
    const d = await open(dir, "r");
    await d.sync();
    await d.close();
  }
}

/** Runs `op(i)` for i in [0, ops) with `concurrency` workers; returns operations per second. */
async function rate(ops: number, concurrency: number, op: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < ops; i = next++) await op(i);
    }),
  );
  return ops / ((performance.now() - start) / 1000);
}

interface Row {
  case: string;
  concurrency: number;
  opsPerSec: number;
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(args.dir ?? tmpdir(), "cairn-bench-drive-"));
  const rows: Row[] = [];
  try {
    const drive = await LocalDrive.open(join(base, "drive"));
    await drive.makeVolume("bench");
    const overwriteKeys = Array.from({ length: 64 }, (_, i) => `prefix/obj-${i}`);
    for (const k of overwriteKeys) await drive.commit("bench", k, PAYLOAD, null);
    for (const c of [1, 16]) {
      const raw = join(base, `raw-${c}`);
      await mkdir(raw);
      const add = (name: string, opsPerSec: number) => rows.push({ case: name, concurrency: c, opsPerSec });
      add("raw create+write+fsync+rename", await rate(OPS, c, (i) => rawWrite(raw, `f${i % 64}`, false)));
      add("raw … + fsync dir", await rate(OPS, c, (i) => rawWrite(raw, `f${i % 64}`, true)));
      add("commit 4 KiB meta, overwrite", await rate(OPS, c, (i) => drive.commit("bench", overwriteKeys[i % 64]!, PAYLOAD, null)));
      add("commit 4 KiB meta, new key", await rate(OPS, c, (i) => drive.commit("bench", `new-${c}/k${i}`, PAYLOAD, null)));
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  if (args.json) console.log(JSON.stringify(rows, null, 2));
  else console.table(rows.map((r) => ({ ...r, opsPerSec: Math.round(r.opsPerSec) })));
}

await main();
