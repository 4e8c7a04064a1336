/**
 * Small-object commit rate of one LocalDrive against the raw rate of the same filesystem.
 *
 *   bun scripts/bench-drive.ts [--dir /path/on/the/disk] [--ops 2000] [--json]
 *
 * raw:        create + write 4 KiB + fsync + rename (+ fsync of the directory)
 * commit:     LocalDrive.commit(meta only, 4 KiB) — overwrite of existing keys, and new keys
 *             (a new directory per key, so its parent is fsynced too)
 * Each at 1 and 16 concurrent committers. The machine's disk is noisy: compare within a run.
 * readMeta:   cached 4 KiB xl.meta reads (symlink check + read), the GET/HEAD metadata path
 * walk:       keys/s of a full sorted walk over --walk-keys objects (nested and flat layouts),
 *             and the time to the first key after a marker in the middle.
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, open, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LocalDrive } from "../src/storage/index";

const { values: args } = parseArgs({
  options: {
    dir: { type: "string" },
    ops: { type: "string", default: "2000" },
    "walk-keys": { type: "string", default: "50000" },
    json: { type: "boolean", default: false },
  },
});
const OPS = Number(args.ops);
const WALK_KEYS = Number(args["walk-keys"]);
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

/**
 * Lays out plain-ASCII keys directly (no fsync, or setup would dominate): for such keys the
 * drive's path is `<volume>/<key>/~xl.meta` (see src/storage/paths.ts).
 */
async function layout(volumeDir: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 256) {
    await Promise.all(
      keys.slice(i, i + 256).map(async (k) => {
        await mkdir(join(volumeDir, k), { recursive: true });
        await writeFile(join(volumeDir, k, "~xl.meta"), PAYLOAD.subarray(0, 300));
      }),
    );
  }
}

async function walkRows(base: string): Promise<Row[]> {
  const drive = await LocalDrive.open(join(base, "walk"));
  const rows: Row[] = [];
  const layouts: [string, (i: number) => string][] = [
    ["nested", (i) => `dir${i % 200}/obj-${i}`],
    ["flat", (i) => `obj-${i}`],
  ];
  for (const [name, keyOf] of layouts) {
    await drive.makeVolume(name);
    const keys = Array.from({ length: WALK_KEYS }, (_, i) => keyOf(i));
    await layout(join(base, "walk", name), keys);
    let n = 0;
    const start = performance.now();
    for await (const _ of drive.walk(name)) n++;
    rows.push({ case: `walk ${name} ${n} keys (keys/s)`, concurrency: 1, opsPerSec: n / ((performance.now() - start) / 1000) });
    const marker = [...keys].sort()[keys.length >> 1]!;
    const t = performance.now();
    for await (const _ of drive.walk(name, { marker })) break;
    rows.push({ case: `walk ${name}: first key after middle marker (per s)`, concurrency: 1, opsPerSec: 1000 / (performance.now() - t) });
  }
  return rows;
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
      add("readMeta 4 KiB (page cache)", await rate(OPS * 5, c, async (i) => void (await drive.readMeta("bench", overwriteKeys[i % 64]!))));
    }
    if (WALK_KEYS > 0) rows.push(...(await walkRows(base)));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  if (args.json) console.log(JSON.stringify(rows, null, 2));
  else console.table(rows.map((r) => ({ ...r, opsPerSec: Math.round(r.opsPerSec) })));
}

await main();
