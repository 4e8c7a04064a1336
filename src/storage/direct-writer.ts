/**
 * A shard file written with O_DIRECT past its first MiB: from there the bytes go from an aligned
 * buffer of ours to the device, not through the page cache.
 *
 * Why: a buffered write copies every byte into page-cache pages the kernel allocates for the new
 * file, and on these VMs the first touch of each such page is a host-side fault: a 512 KiB
 * shard file cost 2.5-3.4 ms of system CPU buffered against 0.2-0.5 ms direct (one writer,
 * fresh files, measured). MinIO writes shards the same way. The head stays buffered because a
 * direct write waits for the device: with every shard file direct, PUT 1 MiB at c=32 lost ~10%
 * (70-72 against 78-80 MB/s) while large PUTs gained 30-90%.
 *
 * O_DIRECT wants the buffer address, the length and the file offset aligned. Frames are not
 * (`[hash][shard]`), so chunks are copied into a pooled aligned buffer and written whenever it
 * fills; the last, partial block is written padded with zeros and the file is truncated back to
 * its exact length before the sync on close. Close still makes the file durable (O_DIRECT skips
 * the page cache, not the device's cache nor the file's metadata), and a file that cannot be
 * opened this way (a filesystem without O_DIRECT answers EINVAL) goes on buffered.
 */
import { constants } from "node:fs";
import { open, rm, type FileHandle } from "node:fs/promises";
import { alignedBytes } from "../../ffi/aligned";
import type { FileWriter } from "./drive";
import { fsSyncOf } from "./fs-sync";

/** Alignment of address, length and offset: the largest logical block size in use. */
const ALIGN = 4096;
/** Written through the page cache first, so small objects' shard files never wait for the device. */
const BUFFERED_HEAD = 1 << 20;
/** Bytes gathered per direct write. */
const STAGE_BYTES = 256 << 10;
/** Idle staging buffers kept for the next files (each in-flight file holds one). */
const IDLE_MAX = 128;

const idle: Uint8Array[] = [];

function takeStage(): Uint8Array {
  const reused = idle.pop();
  if (reused) return reused;
  return alignedBytes(STAGE_BYTES, ALIGN);
}

function giveStage(stage: Uint8Array): void {
  if (idle.length < IDLE_MAX) idle.push(stage);
}

/** Off with CAIRN_ODIRECT=0, and where the platform has no O_DIRECT. */
function directEnabled(): boolean {
  return process.platform === "linux" && constants.O_DIRECT !== undefined && process.env.CAIRN_ODIRECT !== "0";
}

/** Opens the existing file `path` for direct writes; null where its filesystem refuses O_DIRECT. */
export async function openDirect(path: string): Promise<FileHandle | null> {
  if (!directEnabled()) return null;
  try {
    return await open(path, constants.O_WRONLY | constants.O_DIRECT!);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EINVAL") return null;
    throw err;
  }
}

/**
 * A new file at `abs` for shard data: direct from its first MiB on where O_DIRECT is on, else
 * plain buffered writes (null: the caller's own writer).
 */
export async function openShardFile(abs: string, guard: WriteGuard): Promise<DirectFileWriter | null> {
  if (!directEnabled()) return null;
  return new DirectFileWriter(await open(abs, "w"), abs, guard);
}

/** Maps raw errors (and counts faults) the same way as every other drive call. */
export type WriteGuard = <T>(op: () => Promise<T>) => Promise<T>;

/** Writes all of `data` at `position` (one write may take less than it was given). */
export async function writeAllAt(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

const EMPTY = new Uint8Array(0);

export class DirectFileWriter implements FileWriter {
  /** The O_DIRECT handle, once the file is past its buffered head. */
  private direct: FileHandle | null = null;
  private refused = false;
  private stage: Uint8Array | null = null;
  /** The direct write in progress: the stage is not given back while the kernel reads it. */
  private inflight: Promise<unknown> = Promise.resolve();
  private used = 0;
  /** Buffered: bytes written so far. Direct: file offset of the stage's first byte (aligned). */
  private position = 0;
  private closed = false;

  constructor(
    /** Created for plain writes; also the handle fsynced and truncated. */
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly guard: WriteGuard,
  ) {}

  /** File offset from which it writes directly (null: all buffered so far). */
  directFrom: number | null = null;

  write(chunk: Uint8Array): Promise<void> {
    return this.guard(async () => {
      if (this.closed) throw new Error("write after close");
      const rest = this.direct === null ? await this.writeBuffered(chunk) : chunk;
      for (let at = 0; at < rest.length; ) {
        const n = Math.min(rest.length - at, STAGE_BYTES - this.used);
        this.stage!.set(rest.subarray(at, at + n), this.used);
        this.used += n;
        at += n;
        if (this.used === STAGE_BYTES) await this.writeStage(STAGE_BYTES);
      }
    });
  }

  /**
   * Writes through the page cache what belongs there and returns the rest of `chunk` for the
   * direct path: the first chunk that starts past BUFFERED_HEAD is written plain up to the next
   * block boundary, and the file is direct from there.
   */
  private async writeBuffered(chunk: Uint8Array): Promise<Uint8Array> {
    const head = (ALIGN - (this.position % ALIGN)) % ALIGN;
    if (this.refused || this.position < BUFFERED_HEAD || chunk.length <= head) {
      await this.writePlain(chunk);
      return EMPTY;
    }
    await this.writePlain(chunk.subarray(0, head));
    this.direct = await openDirect(this.path);
    if (this.direct === null) {
      this.refused = true;
      await this.writePlain(chunk.subarray(head));
      return EMPTY;
    }
    this.directFrom = this.position;
    this.stage = takeStage();
    return chunk.subarray(head);
  }

  private async writePlain(data: Uint8Array): Promise<void> {
    await writeAllAt(this.fh, data, this.position);
    this.position += data.length;
  }

  close(): Promise<void> {
    return this.guard(async () => {
      if (this.closed) return;
      try {
        if (this.direct === null) {
          await this.fh.sync();
          return;
        }
        const length = this.position + this.used;
        if (this.used > 0) {
          const padded = Math.ceil(this.used / ALIGN) * ALIGN;
          this.stage!.fill(0, this.used, padded);
          await this.writeStage(padded);
          await this.fh.truncate(length);
        }
        await this.syncDirect();
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
   * data on the device already, a syncfs has little to write back but the buffered head and the
   * metadata, and it does not hold one of Bun's two fs threads per file for a journal commit.
   */
  private async syncDirect(): Promise<void> {
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
    await Promise.all([this.fh.close(), this.direct?.close()]);
  }

  /** Writes the stage's first `length` bytes (a multiple of ALIGN) at `position`, directly. */
  private async writeStage(length: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const write = this.direct!.write(this.stage!, done, length - done, this.position + done);
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
