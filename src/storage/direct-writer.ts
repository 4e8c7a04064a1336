/**
 * A shard file written with O_DIRECT: the bytes go from an aligned buffer of ours to the device,
 * not through the page cache.
 *
 * Why: a buffered write copies every byte into page-cache pages the kernel allocates for the new
 * file, and on these VMs the first touch of each such page is a host-side fault: a 512 KiB
 * shard file cost 2.5-3.4 ms of system CPU buffered against 0.2-0.5 ms direct (one writer,
 * fresh files, measured). MinIO writes shards the same way.
 *
 * The whole file is direct. An earlier version kept each file's first MiB buffered (a direct
 * write waits for the device), which left every shard of an object up to 2 MiB buffered and
 * synced by its own fsync on one of Bun's fs threads (two then). All direct, with the group sync on
 * close, PUT 1 MiB at c=32 went from 76/63 to 90/80 ops/s at 5.0 against 6.9 s of server CPU
 * per cell (bench, alternated, 4 drives EC 2+2), and 4 files x 512 KiB x 32 writers from 113-139
 * to 140-152 objects/s at a third of the CPU (micro-measure, group sync both ways).
 *
 * O_DIRECT wants the buffer address, the length and the file offset aligned. Frames are not
 * (`[hash][shard]`), so chunks are copied into a pooled aligned buffer and written whenever it
 * fills; the last, partial block is written padded with zeros and the file is truncated back to
 * its exact length before the sync on close. Close still makes the file durable (O_DIRECT skips
 * the page cache, not the device's cache nor the file's metadata), and a file that cannot be
 * opened this way (a filesystem without O_DIRECT answers EINVAL) is written buffered instead.
 */
import { constants } from "node:fs";
import { open, rm, type FileHandle } from "node:fs/promises";
import { HUGE_PAGE, alignedBytes, hugePageBytes, releasePages } from "../../ffi/aligned";
import type { FileWriter } from "./drive";
import { QuietTrim } from "../lib/index";
import { fsSyncOf } from "./fs-sync";

/** Alignment of address, length and offset: the largest logical block size in use. */
const ALIGN = 4096;
/** Bytes gathered per direct write, unless the file is known to be large. */
const STAGE_DEFAULT = 256 << 10;
/** Files declared to reach this size (large objects' shards) get the large stage. */
const LARGE_FILE = 1 << 20;
/**
 * The stage of large files, 1 MiB of physically contiguous memory (half a transparent huge
 * page): writes this large let the disk stream. Smaller files keep the smaller stage: at 1 MiB
 * PUT c=128 (512 shard files open) a stage of the file's size doubled peak RSS for no steady
 * gain. A direct write goes to the device as one request per max_segments (254 on this kind of
 * VM's virtio disk) physically contiguous runs of the buffer: from 4 KiB pages a 1 MiB write went
 * as 1016 KiB plus 8 KiB, from a huge page it goes whole. 4 writers x 256 MiB direct on this VM:
 * 254-314 MB/s from 4 KiB pages (1 or 4 MiB writes), 403-435 MB/s in 1 MiB writes from huge
 * pages, 439-499 MB/s in 2 MiB writes, 510-546 MB/s buffered. Whole 2 MiB stages took PUT 256
 * MiB c=8 over its 400 MB bound (409 MB peak PSS): one stage per shard file, 32 files.
 */
const STAGE_LARGE = HUGE_PAGE / 2;
/** The second half of the huge page last cut into large stages, until a file takes it. */
let spareHalf: Uint8Array | null = null;

function newLargeStage(): Uint8Array {
  const half = spareHalf;
  if (half) {
    spareHalf = null;
    return half;
  }
  const page = hugePageBytes(HUGE_PAGE);
  spareHalf = page.subarray(STAGE_LARGE);
  return page.subarray(0, STAGE_LARGE);
}

/** Idle stages kept for the next files, in bytes per stage size (each in-flight file holds one). */
const IDLE_BYTES_PER_SIZE = 32 << 20;

/** Idle stages of a size not taken for this long give way to the other size (see takeStage). */
const STALE_MS = 1000;

/** Idle stages by size. */
const idle = new Map<number, Uint8Array[]>();
/** When a stage of each size was last taken. */
const takenAt = new Map<number, number>();
/** The stage pool's clock (tests move it). */
export const stageClock = { now: (): number => performance.now() };

/** The stage for a file expected to hold `sizeHint` bytes (undefined: not known). */
export function stageBytesFor(sizeHint: number | undefined): number {
  return sizeHint !== undefined && sizeHint >= LARGE_FILE ? STAGE_LARGE : STAGE_DEFAULT;
}

function takeStage(bytes: number): Uint8Array {
  const now = stageClock.now();
  takenAt.set(bytes, now);
  const reused = idle.get(bytes)?.pop();
  if (reused) return reused;
  // None of this size idle: where the work moved to this size (the other size not taken for a
  // while), idle stages of the other give way, as many bytes as this one takes, instead of
  // staying beside it in the RSS. A mix of both sizes keeps both.
  let freed = 0;
  for (const [size, list] of idle) {
    if (size === bytes || now - (takenAt.get(size) ?? 0) < STALE_MS) continue;
    while (freed < bytes && list.length > 0) {
      releasePages(list.pop()!); // the GC frees it later: its pages go back now
      freed += size;
    }
  }
  return bytes === STAGE_LARGE ? newLargeStage() : alignedBytes(bytes, ALIGN);
}

function giveStage(stage: Uint8Array): void {
  let list = idle.get(stage.length);
  if (!list) idle.set(stage.length, (list = []));
  if ((list.length + 1) * stage.length > IDLE_BYTES_PER_SIZE) return releasePages(stage);
  list.push(stage);
  quiet.arm();
}

/**
 * After this long without a take, every idle stage goes, its pages back to the kernel: a burst
 * of large PUTs must not leave a quiet server holding up to 64 MiB of stages (the buffer pool's
 * quiet-spell trim, buffers.ts). A stage is cut again in microseconds when work returns.
 */
export const stageTrim = { quietMs: 10_000 };
const quiet = new QuietTrim({
  quietMs: () => stageTrim.quietMs,
  lastTake: () => Math.max(Number.NEGATIVE_INFINITY, ...takenAt.values()),
  now: () => stageClock.now(),
  holding: () => [...idle.values()].some((list) => list.length > 0),
  trim: () => releaseIdleStages(),
});

function releaseIdleStages(): void {
  for (const list of idle.values()) for (const stage of list.splice(0)) releasePages(stage);
  if (spareHalf) releasePages(spareHalf);
  spareHalf = null;
}

/** Idle stages of each size (for tests). */
export function idleStages(): Map<number, number> {
  return new Map([...idle].map(([size, list]) => [size, list.length]));
}

/** The idle stages of one size themselves (for tests). */
export function idleStagesOf(bytes: number): readonly Uint8Array[] {
  return idle.get(bytes) ?? [];
}

/** Empties the idle pool (for tests: it is shared by everything a process wrote before). */
export function clearIdleStages(): void {
  idle.clear();
  takenAt.clear();
  spareHalf = null;
  quiet.cancel();
}

/** Off with CAIRN_ODIRECT=0, and where the platform has no O_DIRECT. */
function directEnabled(): boolean {
  return process.platform === "linux" && constants.O_DIRECT !== undefined && process.env.CAIRN_ODIRECT !== "0";
}

/** Creates (or truncates) `path` for direct writes; null where its filesystem refuses O_DIRECT. */
export async function openDirect(path: string): Promise<FileHandle | null> {
  if (!directEnabled()) return null;
  try {
    return await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DIRECT!);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EINVAL") return null;
    throw err;
  }
}

/**
 * A new file at `abs` for shard data, written directly; null where O_DIRECT is off or refused
 * (the caller then writes it buffered).
 */
export async function openShardFile(abs: string, guard: WriteGuard, sizeHint?: number): Promise<DirectFileWriter | null> {
  const fh = await openDirect(abs);
  return fh ? new DirectFileWriter(fh, abs, guard, stageBytesFor(sizeHint)) : null;
}

/** Maps raw errors (and counts faults) the same way as every other drive call. */
export type WriteGuard = <T>(op: () => Promise<T>) => Promise<T>;

export class DirectFileWriter implements FileWriter {
  /** Taken at the first write, given back on close. */
  private stage: Uint8Array | null = null;
  /** The direct write in progress: the stage is not given back while the kernel reads it. */
  private inflight: Promise<unknown> = Promise.resolve();
  private used = 0;
  /** File offset of the stage's first byte (aligned). */
  private position = 0;
  private closed = false;

  constructor(
    /** Opened with O_DIRECT (openDirect). */
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly guard: WriteGuard,
    /** Size of the stage, a multiple of ALIGN (stageBytesFor). */
    private readonly stageBytes: number = STAGE_DEFAULT,
  ) {}

  write(chunk: Uint8Array): Promise<void> {
    return this.guard(async () => {
      if (this.closed) throw new Error("write after close");
      this.stage ??= takeStage(this.stageBytes);
      for (let at = 0; at < chunk.length; ) {
        const n = Math.min(chunk.length - at, this.stageBytes - this.used);
        this.stage.set(chunk.subarray(at, at + n), this.used);
        this.used += n;
        at += n;
        if (this.used === this.stageBytes) await this.writeStage(this.stageBytes);
      }
    });
  }

  close(): Promise<void> {
    return this.guard(async () => {
      if (this.closed) return;
      try {
        if (this.used > 0) {
          const length = this.position + this.used;
          const padded = Math.ceil(this.used / ALIGN) * ALIGN;
          const exact = padded === this.used;
          this.stage!.fill(0, this.used, padded);
          await this.writeStage(padded);
          if (!exact) await this.fh.truncate(length);
        }
        await this.sync();
      } finally {
        await this.release();
      }
    });
  }

  abort(): Promise<void> {
    return this.guard(async () => {
      if (!this.closed) await this.release().catch(() => undefined);
      await rm(this.path, { force: true });
    });
  }

  /**
   * The filesystem's group sync (fs-sync.ts) where it has one, else the file's fsync: with the
   * data on the device already, a syncfs has little to write back but the metadata, and it does
   * not hold one of Bun's fs pool threads per file for a journal commit.
   */
  private async sync(): Promise<void> {
    const group = fsSyncOf(this.path);
    if (group) await group.sync();
    else await this.fh.sync();
  }

  private async release(): Promise<void> {
    this.closed = true;
    const stage = this.stage;
    this.stage = null;
    await this.inflight.catch(() => undefined);
    if (stage) giveStage(stage);
    await this.fh.close();
  }

  /** Writes the stage's first `length` bytes (a multiple of ALIGN) at `position`, directly. */
  private async writeStage(length: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const write = this.fh.write(this.stage!, done, length - done, this.position + done);
      this.inflight = write;
      const { bytesWritten } = await write;
      // A short direct write ends on a block boundary or not at all; anything else is an error.
      if (bytesWritten <= 0 || bytesWritten % ALIGN !== 0) throw new Error(`${this.path}: short direct write (${bytesWritten} bytes)`);
      done += bytesWritten;
    }
    this.position += length;
    this.used = 0;
  }
}
