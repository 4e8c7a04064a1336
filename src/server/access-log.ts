/**
 * The opt-in access log: one JSON object per line per S3 request, to a file (appended) or to
 * stdout (`-`). Lines collect in the writer's buffer and reach the file at most every
 * FLUSH_MS (or when the buffer fills), so a request never waits on a write of its own.
 */
import { closeSync, openSync } from "node:fs";
import type { FileSink } from "bun";
import { ConfigError } from "./address";

export interface AccessEntry {
  /** Arrival, ISO 8601. */
  time: string;
  requestId: string;
  remoteAddress: string | null;
  method: string;
  api: string;
  bucket: string | null;
  key: string | null;
  status: number;
  errorCode: string | null;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  userAgent: string | null;
}

export interface AccessLog {
  write(entry: AccessEntry): void;
  /** Writes what is buffered and releases the file. */
  close(): Promise<void>;
}

const FLUSH_MS = 200;
const BUFFER_BYTES = 64 * 1024;

class SinkLog implements AccessLog {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failed = false;

  /** `fd`: the log file's descriptor, closed after the last write; null for stdout, left open. */
  constructor(
    private readonly sink: FileSink,
    private readonly fd: number | null,
  ) {}

  write(entry: AccessEntry): void {
    if (this.failed) return;
    try {
      this.sink.write(JSON.stringify(entry) + "\n");
    } catch (err) {
      this.fail(err);
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.timer = null;
    try {
      const pending = this.sink.flush();
      if (pending instanceof Promise) pending.catch((err: unknown) => this.fail(err));
    } catch (err) {
      this.fail(err);
    }
  }

  /** A log that cannot be written (disk full, closed pipe) must not take requests down: say so once. */
  private fail(err: unknown): void {
    if (!this.failed) process.stderr.write(`cairn: access log disabled: ${String(err)}\n`);
    this.failed = true;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      if (this.fd === null) await this.sink.flush();
      else await this.sink.end();
    } catch (err) {
      this.fail(err);
    }
    if (this.fd !== null) closeSync(this.fd);
  }
}

/** `target`: a file path (created if absent, appended to) or `-` for stdout. */
export function openAccessLog(target: string): AccessLog {
  if (target === "-") return new SinkLog(Bun.stdout.writer({ highWaterMark: BUFFER_BYTES }), null);
  let fd: number;
  try {
    // The writer would write from offset 0 over an existing log; an O_APPEND descriptor appends.
    fd = openSync(target, "a");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`CAIRN_ACCESS_LOG: cannot open ${target} for appending (${code})`);
  }
  return new SinkLog(Bun.file(fd).writer({ highWaterMark: BUFFER_BYTES }), fd);
}
