/**
 * The disk ceiling for N drive directories, measured on the same filesystem as the drives:
 * small objects as one create + write + fsync + rename per drive per object (what an inline
 * xl.meta costs at best), large ones as a sequential write + fsync per drive, the faster of
 * a buffered write and a direct one (O_DIRECT from huge pages, as the server writes shards).
 * Why both: on these VMs a buffered write's first touch of each page-cache page is a host-side
 * fault, so the buffered figure follows the CPU as much as the disk; it gave 336 MB/s in a run
 * whose PUT 64 MiB wrote 492 MB/s of shards direct, a "ceiling" 46% under what was reached.
 * Files are left in place until the run's temp root is removed: deleting many files at once
 * slows ext4 file creation for minutes after, which would skew the cells that follow.
 */
import { constants, mkdirSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { join } from "node:path";
import { HUGE_PAGE, hugePageBytes } from "../../ffi/aligned.ts";
import { syncWorkers } from "../../src/storage/sync-workers.ts";

export interface DiskCeiling {
  drives: number;
  /** Objects per second, each object one small file on every drive. */
  smallOpsPerSec: number;
  smallSize: number;
  committers: number;
  /** Aggregate sequential write bytes per second across all drives, fsync included: the faster way. */
  seqBytesPerSec: number;
  /** The same, written through the page cache. */
  seqBufferedBytesPerSec: number;
  /** The same, written with O_DIRECT from huge pages; null where the filesystem refuses it. */
  seqDirectBytesPerSec: number | null;
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

const DIRECT = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_DIRECT ?? 0);

/** Writes `bytes` of `chunk` copies to a new file and fsyncs it; false where `direct` is refused. */
async function writeSequential(path: string, bytes: number, chunk: Uint8Array, direct: boolean): Promise<boolean> {
  if (direct && constants.O_DIRECT === undefined) return false;
  const fh = await open(path, direct ? DIRECT : "w").catch((err: NodeJS.ErrnoException) => {
    if (direct && err.code === "EINVAL") return null; // a filesystem without O_DIRECT (tmpfs)
    throw err;
  });
  if (fh === null) return false;
  try {
    for (let off = 0; off < bytes; off += chunk.length) await fh.write(chunk, 0, chunk.length, off);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

/** Aggregate bytes per second of one sequential file per drive, or null where refused. */
async function seqCeiling(dirs: string[], perDrive: number, chunk: Uint8Array, direct: boolean): Promise<number | null> {
  const name = direct ? "seq-direct.bin" : "seq.bin";
  const t0 = performance.now();
  const written = await Promise.all(dirs.map((d) => writeSequential(join(d, name), perDrive, chunk, direct)));
  if (written.includes(false)) return null;
  return (perDrive * dirs.length) / ((performance.now() - t0) / 1000);
}

/**
 * `seqBytes`: written across the drives by each sequential way; the default (1 GiB) is enough
 * per drive to get past the page cache's first gulp and little enough to stay quick.
 */
export async function measureDisk(root: string, o: { drives: number; seconds: number; committers?: number; seqBytes?: number }): Promise<DiskCeiling> {
  const dirs = Array.from({ length: o.drives }, (_, i) => join(root, `disk-ceiling-${o.drives}`, `d${i + 1}`));
  for (const d of dirs) mkdirSync(d, { recursive: true });
  const committers = o.committers ?? 32;
  const smallSize = 4096;
  const smallOpsPerSec = await smallCeiling(dirs, { seconds: o.seconds, committers, size: smallSize });
  // One huge page per write: physically contiguous, so the device takes each write whole.
  const chunk = hugePageBytes(HUGE_PAGE).fill(9);
  const perDrive = Math.max(1, Math.ceil((o.seqBytes ?? 1024 ** 3) / dirs.length / chunk.length)) * chunk.length;
  const seqBufferedBytesPerSec = (await seqCeiling(dirs, perDrive, chunk, false))!;
  const seqDirectBytesPerSec = await seqCeiling(dirs, perDrive, chunk, true);
  const seqBytesPerSec = Math.max(seqBufferedBytesPerSec, seqDirectBytesPerSec ?? 0);
  return { drives: o.drives, smallOpsPerSec, smallSize, committers, seqBytesPerSec, seqBufferedBytesPerSec, seqDirectBytesPerSec };
}
