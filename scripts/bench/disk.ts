/**
 * The disk ceiling for N drive directories, measured on the same filesystem as the drives:
 * small objects as one create + write + fsync + rename per drive per object (what an inline
 * xl.meta costs at best), large ones as a sequential buffered write + fsync per drive.
 * Files are left in place until the run's temp root is removed: deleting many files at once
 * slows ext4 file creation for minutes after, which would skew the cells that follow.
 */
import { mkdirSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { join } from "node:path";
import { syncWorkers } from "../../src/storage/sync-workers.ts";

export interface DiskCeiling {
  drives: number;
  /** Objects per second, each object one small file on every drive. */
  smallOpsPerSec: number;
  smallSize: number;
  committers: number;
  /** Aggregate sequential write bytes per second across all drives, fsync included. */
  seqBytesPerSec: number;
}

/**
 * Bun runs async fs calls on max(cores, 2) threads: two fsyncs in flight at most, a limit of the
 * runtime, not of the disk. The server's durable writes go through its pool of fs worker threads
 * (src/storage/sync-workers.ts); the ceiling uses the same pool, so it measures the disk.
 */
const pool = syncWorkers();

async function writeSmall(dir: string, name: string, body: Uint8Array): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  if (pool) {
    await pool.run({ op: "write", path: tmp, data: body, exclusive: true });
  } else {
    const fh = await open(tmp, "wx");
    try {
      await fh.write(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  await rename(tmp, join(dir, name));
}

async function smallCeiling(dirs: string[], o: { seconds: number; committers: number; size: number }): Promise<number> {
  const body = new Uint8Array(o.size).fill(7);
  const deadline = performance.now() + o.seconds * 1000;
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.committers }, async () => {
      while (performance.now() < deadline) {
        const name = `o${next++}`;
        await Promise.all(dirs.map((d) => writeSmall(d, name, body)));
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

async function writeSequential(path: string, bytes: number, chunk: Uint8Array): Promise<void> {
  const fh = await open(path, "w");
  try {
    for (let off = 0; off < bytes; off += chunk.length) await fh.write(chunk);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function seqCeiling(dirs: string[], totalBytes: number): Promise<number> {
  const chunk = new Uint8Array(1 << 20).fill(9);
  // Enough per drive to get past the page cache's first gulp, little enough to stay quick.
  const perDrive = Math.ceil(totalBytes / dirs.length / chunk.length) * chunk.length;
  const t0 = performance.now();
  await Promise.all(dirs.map((d) => writeSequential(join(d, "seq.bin"), perDrive, chunk)));
  return (perDrive * dirs.length) / ((performance.now() - t0) / 1000);
}

export async function measureDisk(root: string, o: { drives: number; seconds: number; committers?: number }): Promise<DiskCeiling> {
  const dirs = Array.from({ length: o.drives }, (_, i) => join(root, `disk-ceiling-${o.drives}`, `d${i + 1}`));
  for (const d of dirs) mkdirSync(d, { recursive: true });
  const committers = o.committers ?? 32;
  const smallSize = 4096;
  const smallOpsPerSec = await smallCeiling(dirs, { seconds: o.seconds, committers, size: smallSize });
  const seqBytesPerSec = await seqCeiling(dirs, 1024 ** 3);
  return { drives: o.drives, smallOpsPerSec, smallSize, committers, seqBytesPerSec };
}
