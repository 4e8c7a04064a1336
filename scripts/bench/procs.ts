/** Child processes of the bench and what /proc says about them (CPU seconds, RSS, peak RSS). */
import { readFileSync, writeFileSync } from "node:fs";
import type { Subprocess } from "bun";

const CLK_TCK = 100; // Linux USER_HZ; fixed at 100 on every mainstream kernel config.

/** utime + stime of a live process, in seconds; NaN once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function statusKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

export const rssMb = (pid: number) => statusKb(pid, "VmRSS") / 1024;
export const peakRssMb = (pid: number) => statusKb(pid, "VmHWM") / 1024;

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so each cell reports its own peak. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Samples RSS every 100 ms as a fallback where clear_refs is not permitted. */
export class RssSampler {
  private peak = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.sample();
  }
  private sample() {
    const v = rssMb(this.pid);
    if (v > this.peak) this.peak = v;
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** A free loopback port: bind to 0, read it back, release it. */
export function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** Polls `url` until it answers `ok` (any status when ok is omitted); returns milliseconds taken. */
export async function waitForHttp(url: string, opts: { since: number; timeoutMs: number; proc?: Subprocess; ok?: (s: number) => boolean }): Promise<number> {
  const until = opts.since + opts.timeoutMs;
  while (performance.now() < until) {
    if (opts.proc?.exitCode !== null && opts.proc?.exitCode !== undefined) {
      throw new Error(`process exited with code ${opts.proc.exitCode} before ${url} answered`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (!opts.ok || opts.ok(res.status)) return performance.now() - opts.since;
    } catch {
      // not listening yet
    }
    await Bun.sleep(2);
  }
  throw new Error(`${url} did not answer within ${opts.timeoutMs} ms`);
}

/** Children still running (servers, generators), so an interrupted bench can end them. */
const live = new Set<Subprocess>();

export function track<T extends Subprocess>(proc: T): T {
  live.add(proc);
  void proc.exited.then(() => live.delete(proc));
  return proc;
}

/** Kills every tracked child at once: only for the SIGINT/SIGTERM path. */
export function killTracked(): void {
  for (const p of live) p.kill("SIGKILL");
}

/** Ends a child we started, politely first. */
export async function stopProcess(proc: Subprocess): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.kill("SIGTERM");
  const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(3000).then(() => false)]);
  if (!done) proc.kill("SIGKILL");
  await proc.exited;
}
