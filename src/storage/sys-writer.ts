/**
 * A streamed file under `.cairn.sys/`. Small chunks (erasure shards arrive as block/k pieces)
 * are gathered into one buffer so the disk sees few large writes; chunks are copied because
 * callers may reuse their buffers once `write` resolves. fsync happens once, on close.
 */
import { rm } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import type { FileWriter } from "./drive";

const BUFFER_BYTES = 1 << 20;

export class SysFileWriter implements FileWriter {
  private buf = new Uint8Array(BUFFER_BYTES);
  private used = 0;
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
      if (this.closed) throw new Error("write after close");
      if (this.used + chunk.length > BUFFER_BYTES) await this.flush();
      if (chunk.length >= BUFFER_BYTES) {
        await this.writeFully(chunk);
        return;
      }
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
    if (this.used === 0) return;
    await this.writeFully(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private async writeFully(data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }
}
