/**
 * Transfer progress: a live bar (bytes, rate, ETA) when stderr is a terminal, one plain line per
 * finished object otherwise, JSON lines with --json, nothing with --quiet.
 */
import { formatSize } from "./util";

export type ProgressMode = "bar" | "lines" | "json" | "quiet";

export function progressMode(flags: { quiet?: boolean; json?: boolean }): ProgressMode {
  if (flags.json) return "json";
  if (flags.quiet) return "quiet";
  return process.stderr.isTTY ? "bar" : "lines";
}

export class Progress {
  readonly mode: ProgressMode;
  private total = 0;
  private bytes = 0;
  private objects = 0;
  private readonly started = performance.now();
  private lastDraw = 0;

  constructor(mode: ProgressMode) {
    this.mode = mode;
  }

  /** Announces more bytes to move (the bar's denominator). */
  expect(bytes: number): void {
    this.total += bytes;
  }

  add(bytes: number): void {
    this.bytes += bytes;
    if (this.mode === "bar" && performance.now() - this.lastDraw > 100) this.draw();
  }

  /** One object finished. */
  finished(e: { source: string; target: string; size: number; action?: string }): void {
    this.objects++;
    const action = e.action ?? "copy";
    if (this.mode === "json") {
      process.stdout.write(JSON.stringify({ status: "success", action, source: e.source, target: e.target, size: e.size }) + "\n");
    } else if (this.mode === "lines") {
      process.stdout.write(`${action === "copy" ? "" : `${action}: `}${e.source}${e.target ? ` -> ${e.target}` : ""} (${formatSize(e.size)})\n`);
    } else if (this.mode === "bar") {
      this.draw();
    }
  }

  /** One object that could not be copied; the command goes on with the others. */
  failed(e: { target: string; message: string }): void {
    if (this.mode === "json") process.stdout.write(JSON.stringify({ status: "error", target: e.target, error: e.message }) + "\n");
    else process.stderr.write(`${this.mode === "bar" ? "\r\x1b[K" : ""}cairn: ${e.target}: ${e.message}\n`);
  }

  /** Only for plain/JSON outputs: a remove or a skipped item. */
  note(e: { action: string; target: string }): void {
    if (this.mode === "json") process.stdout.write(JSON.stringify({ status: "success", action: e.action, target: e.target }) + "\n");
    else if (this.mode === "lines") process.stdout.write(`${e.action}: ${e.target}\n`);
  }

  private rate(): number {
    const secs = (performance.now() - this.started) / 1000;
    return secs > 0 ? this.bytes / secs : 0;
  }

  private draw(): void {
    this.lastDraw = performance.now();
    const width = 30;
    const frac = this.total > 0 ? Math.min(1, this.bytes / this.total) : 0;
    const filled = Math.round(frac * width);
    const rate = this.rate();
    const eta = rate > 0 && this.total > this.bytes ? Math.ceil((this.total - this.bytes) / rate) : 0;
    const bar = `[${"#".repeat(filled)}${" ".repeat(width - filled)}]`;
    const line = `${bar} ${formatSize(this.bytes)}/${formatSize(this.total)} ${formatSize(rate)}/s ETA ${eta}s, ${this.objects} object(s)`;
    process.stderr.write(`\r${line}\x1b[K`);
  }

  /** Ends the bar and prints a summary line (not for --quiet/--json). */
  end(): { bytes: number; objects: number; seconds: number } {
    const seconds = (performance.now() - this.started) / 1000;
    if (this.mode === "bar") {
      this.draw();
      process.stderr.write("\n");
    }
    if (this.mode === "bar" || this.mode === "lines") {
      process.stderr.write(`${this.objects} object(s), ${formatSize(this.bytes)} in ${seconds.toFixed(1)}s (${formatSize(this.rate())}/s)\n`);
    }
    return { bytes: this.bytes, objects: this.objects, seconds };
  }
}
