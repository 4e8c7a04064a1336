/**
 * A shard file written with O_DIRECT: the bytes go from an aligned buffer of ours to the device,
 * not through the page cache.
 *
 * Why: a buffered write copies every byte into page-cache pages the kernel allocates for the new
 * file, and on these VMs the first touch of each such page is a host-side fault: a 512 KiB
 * shard file cost 2.5-3.4 ms of system CPU buffered against 0.2-0.5 ms direct (one writer,
 * fresh files, measured), and a 1 MiB PUT writes four of them. MinIO writes shards the same way.
 *
 * O_DIRECT wants the buffer address, the length and the file offset aligned. Frames are not
 * (`[hash][shard]`), so chunks are copied into a pooled aligned buffer and written whenever it
 * fills; the last, partial block is written padded with zeros and the file is truncated back to
 * its exact length before the sync on close. Close still makes the file durable (O_DIRECT skips
 * the page cache, not the device's cache nor the file's metadata), and a file that cannot be
 * opened this way (tmpfs, some network filesystems: EINVAL) is written buffered instead.
 */
import { constants } from "node:fs";
import { open, rm, type FileHandle } from "node:fs/promises";
import { ptr } from "bun:ffi";
import type { FileWriter } from "./drive";
import { fsSyncOf } from "./fs-sync";

/** Alignment of address, length and offset: the largest logical block size in use. */
const ALIGN = 4096;
/** Bytes gathered per direct write. */
const STAGE_BYTES = 256 << 10;
/** Idle staging buffers kept for the next files (each in-flight file holds one). */
const IDLE_MAX = 128;

const idle: Uint8Array[] = [];

function takeStage(): Uint8Array {
  const reused = idle.pop();
  if (reused) return reused;
  const raw = new Uint8Array(STAGE_BYTES + ALIGN);
  const at = (ALIGN - (ptr(raw) % ALIGN)) % ALIGN;
  return raw.subarray(at, at + STAGE_BYTES);
}

function giveStage(stage: Uint8Array): void {
  if (idle.length < IDLE_MAX) idle.push(stage);
}

/** Off with CAIRN_ODIRECT=0, and where the platform has no O_DIRECT. */
function directEnabled(): boolean {
  return process.platform === "linux" && constants.O_DIRECT !== undefined && process.env.CAIRN_ODIRECT !== "0";
}

/** Creates (or truncates) `path` for direct writes; null where this filesystem refuses O_DIRECT. */
export async function openDirect(path: string): Promise<FileHandle | null> {
  if (!directEnabled()) return null;
  const { O_WRONLY, O_CREAT, O_TRUNC, O_DIRECT } = constants;
  try {
    return await open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT!, 0o666);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EINVAL") return null;
    throw err;
  }
}

export class DirectFileWriter implements FileWriter {
  private stage: Uint8Array | null = takeStage();
  /** The direct write in progress: the stage is not given back while the kernel reads it. */
  private inflight: Promise<unknown> = Promise.resolve();
  private used = 0;
  /** File offset of the stage's first byte: always a multiple of ALIGN. */
  private position = 0;
  private closed = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    /** Maps raw errors (and counts faults) the same way as every other drive call. */
    private readonly guard: <T>(op: () => Promise<T>) => Promise<T>,
  ) {}

  write(chunk: Uint8Array): Promise<void> {
    return this.guard(async () => {
      if (this.closed || !this.stage) throw new Error("write after close");
      for (let at = 0; at < chunk.length; ) {
        const n = Math.min(chunk.length - at, STAGE_BYTES - this.used);
        this.stage.set(chunk.subarray(at, at + n), this.used);
        this.used += n;
        at += n;
        if (this.used === STAGE_BYTES) await this.writeStage(STAGE_BYTES);
      }
    });
  }

  close(): Promise<void> {
    return this.guard(async () => {
      if (this.closed) return;
      try {
        const length = this.position + this.used;
        if (this.used > 0) {
          const padded = Math.ceil(this.used / ALIGN) * ALIGN;
          this.stage!.fill(0, this.used, padded);
          await this.writeStage(padded);
          await this.fh.truncate(length);
        }
        await this.sync();
      } finally {
        await this.release();
        await this.fh.close();
      }
    });
  }

  abort(): Promise<void> {
    return this.guard(async () => {
      if (!this.closed) {
        await this.release();
        await this.fh.close().catch(() => undefined);
      }
      await rm(this.path, { force: true });
    });
  }

  /**
   * The file's own fsync, or the filesystem's group sync (fs-sync.ts) where it has one: with the
   * data already on the device, a syncfs has little to write back but this file's metadata, and
   * it does not hold one of Bun's two fs threads per file for a journal commit.
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
  }

  /** Writes the stage's first `length` bytes (a multiple of ALIGN) at `position`. */
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
