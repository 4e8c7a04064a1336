/**
 * A streamed file under `.cairn.sys/`. Large chunks (an erasure frame of a 1 MiB block is
 * 1 MiB / k plus a header) go to the file as they are, one write each, without a copy: copying
 * every frame into a gather buffer was a third of a large PUT's memcpy, and its 1 MiB buffer per
 * file was fresh, page-faulting memory for every shard file. Small chunks are gathered, so the
 * disk still sees few large writes; they are copied because callers may reuse their buffers once
 * `write` resolves (a direct write resolves only after the kernel has the bytes). fsync happens
 * once, on close.
 */
import { open, rm } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { openShardFile, type WriteGuard } from "./direct-writer";
import type { FileWriter } from "./drive";

/** Chunks from this size up are written directly; smaller ones gather up to BUFFER_BYTES. */
const DIRECT_BYTES = 64 << 10;
const BUFFER_BYTES = 4 * DIRECT_BYTES;

export class SysFileWriter implements FileWriter {
  /** Allocated on the first small chunk only. */
  private buf: Uint8Array | null = null;
  private used = 0;
  private position = 0;
  private closed = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly guard: WriteGuard,
  ) {}

  write(chunk: Uint8Array): Promise<void> {
    return this.guard(async () => {
      if (this.closed) throw new Error("write after close");
      if (chunk.length >= DIRECT_BYTES) {
        await this.flush();
        await this.writeFully(chunk);
        return;
      }
      if (this.used + chunk.length > BUFFER_BYTES) await this.flush();
      this.buf ??= new Uint8Array(BUFFER_BYTES);
      this.buf.set(chunk, this.used);
      this.used += chunk.length;
    });
  }

  close(): Promise<void> {
    return this.guard(async () => {
      if (this.closed) return;
      try {
        await this.flush();
        await this.fh.sync();
      } finally {
        this.closed = true;
        await this.fh.close();
      }
    });
  }

  abort(): Promise<void> {
    return this.guard(async () => {
      if (!this.closed) {
        this.closed = true;
        await this.fh.close().catch(() => undefined);
      }
      await rm(this.path, { force: true });
    });
  }

  private async flush(): Promise<void> {
    if (this.used === 0 || !this.buf) return;
    await this.writeFully(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  /** Writes all of `data` at the end (one write may take less than it was given). */
  private async writeFully(data: Uint8Array): Promise<void> {
    for (let done = 0; done < data.length; ) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += data.length;
  }
}

/** A new file at `abs`: written with O_DIRECT where that is on (direct-writer.ts), else buffered. */
export async function openSysWriter(abs: string, guard: WriteGuard, sizeHint?: number): Promise<FileWriter> {
  return (await openShardFile(abs, guard, sizeHint)) ?? new SysFileWriter(await open(abs, "w"), abs, guard);
}
