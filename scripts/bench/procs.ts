/**
 * Child processes of the bench and what /proc says about them. A server may be several processes
 * (a cluster primary and the workers it forks), so its CPU and memory are read over the whole
 * process tree rooted at the pid we spawned.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Subprocess } from "bun";

const CLK_TCK = 100; // Linux USER_HZ; fixed at 100 on every mainstream kernel config.

// Indexes into statFields(): field N of proc(5)'s /proc/PID/stat sits at N - 3.
const PPID = 1;
const UTIME = 11;
const STIME = 12;
const CUTIME = 13;
const CSTIME = 14;

/**
 * /proc/PID/stat (or one thread's, /proc/PID/task/TID/stat): the name (field 2) and the fields
 * from 3 (state) on; null once gone.
 */
function readStat(pid: number, tid?: number): { name: string; fields: string[] } | null {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces and parentheses: it ends at the last ")".
    const end = stat.lastIndexOf(")");
    return { name: stat.slice(stat.indexOf("(") + 1, end), fields: stat.slice(end + 2).split(" ") };
  } catch {
    return null;
  }
}

function statFields(pid: number): string[] | null {
  return readStat(pid)?.fields ?? null;
}

/** utime + stime of one live process, in seconds; NaN once it is gone. */
export function cpuSecondsOf(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[UTIME]) + Number(f[STIME])) / CLK_TCK : NaN;
}

/** Every process's children, from the ppid field of each /proc/PID/stat on the box. */
function childrenByParent(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (!f) continue; // exited since the directory was listed
    const ppid = Number(f[PPID]);
    const kids = out.get(ppid);
    if (kids) kids.push(pid);
    else out.set(ppid, [pid]);
  }
  return out;
}

/** `root` first, then its live descendants (children, their children, …); empty once root is gone. */
export function processTree(root: number): number[] {
  if (!existsSync(`/proc/${root}/stat`)) return [];
  const kids = childrenByParent();
  const tree = [root];
  // /proc is read file by file, not atomically: `seen` keeps a reused pid from looping the walk.
  const seen = new Set(tree);
  for (let i = 0; i < tree.length; i++) {
    for (const kid of kids.get(tree[i]!) ?? []) {
      if (seen.has(kid)) continue;
      seen.add(kid);
      tree.push(kid);
    }
  }
  return tree;
}

/**
 * Waits until the tree has kept one set of processes for `quietMs` (a server of several
 * processes forks the rest once the first one serves), at most `maxMs`.
 */
export async function settledTree(root: number, quietMs = 500, maxMs = 5000): Promise<number[]> {
  const deadline = performance.now() + maxMs;
  let tree = processTree(root);
  let since = performance.now();
  while (performance.now() - since < quietMs && performance.now() < deadline) {
    await Bun.sleep(50);
    const now = processTree(root);
    if (now.join() !== tree.join()) [tree, since] = [now, performance.now()];
  }
  return tree;
}

/** `value(pid)` summed over the tree; NaN when the root is gone (a descendant gone since the walk counts 0). */
function sumOverTree(root: number, value: (pid: number) => number): number {
  const tree = processTree(root);
  if (tree.length === 0) return NaN;
  let total = 0;
  for (const pid of tree) {
    const v = value(pid);
    if (Number.isNaN(v) && pid === root) return NaN;
    if (!Number.isNaN(v)) total += v;
  }
  return total;
}

/**
 * CPU seconds (user + system) spent so far by `root`'s process tree; NaN once root is gone.
 * Each member counts its own time plus cutime + cstime, the time of its children that exited and
 * were reaped: a worker that ends mid-cell still counts once its parent has reaped it.
 */
export function treeCpuSeconds(root: number): number {
  // A descendant that ended since the walk: its time is in its parent's cutime once reaped.
  const ticks = sumOverTree(root, (pid) => {
    const f = statFields(pid);
    return f ? Number(f[UTIME]) + Number(f[STIME]) + Number(f[CUTIME]) + Number(f[CSTIME]) : NaN;
  });
  return ticks / CLK_TCK;
}

/**
 * CPU seconds a tree spent between two treeCpuSeconds readings. A descendant that leaves the
 * tree unreaped (its parent died first, so init adopted it) takes its past CPU out of the sum;
 * the figure is floored at 0 rather than going negative. NaN stays NaN (server gone).
 */
export function cpuSpent(before: number, after: number): number {
  return Math.max(0, after - before);
}

/** Proportional set size of one process in MB (shared pages split among their sharers); NaN once gone. */
export function pssMb(pid: number): number {
  try {
    // smaps_rollup: one summed record, much cheaper than /proc/PID/smaps (Linux >= 4.14).
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Memory of `root`'s process tree: PSS summed over its members, NaN once root is gone. Not RSS:
 * workers map the same executable, and summing RSS would count those pages once per process.
 * (PSS also splits pages shared with processes outside the tree, e.g. the bun binary when the
 * server runs from source beside bun-based load generators; the compiled binary has no sharers.)
 */
export function treePssMb(root: number): number {
  return sumOverTree(root, pssMb);
}

/** Polls a tree's PSS every 100 ms and keeps the highest: no kernel counter keeps a peak of a PSS sum. */
export class TreePssSampler {
  private peak = NaN;
  private stopped = false;
  private readonly timer: ReturnType<typeof setInterval>;
  constructor(private readonly root: number) {
    this.timer = setInterval(() => this.sample(), 100);
    this.sample();
  }
  private sample() {
    const v = treePssMb(this.root);
    if (Number.isNaN(this.peak) || v > this.peak) this.peak = v;
  }
  /** Stops polling (idempotent) and returns the peak in MB, NaN when no reading succeeded. */
  stop(): number {
    if (this.stopped) return this.peak;
    this.stopped = true;
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/**
 * Where a server's CPU went during a cell, by kind of thread, summed over its process tree.
 * The tree total says how much CPU a cell cost; this says whether the event loop (one thread
 * per process) was the bound, or the worker threads, the JIT compiler or the garbage collector.
 *
 * Threads are told apart by their name (comm, in /proc/PID/task/TID/stat), as Bun and JavaScriptCore
 * set them; a thread whose name fits no kind counts as `other`, and so does the CPU of threads
 * that ended during the cell (it is in the tree total but no longer in any live thread).
 */
export const THREAD_KINDS = ["main", "workers", "jit", "gc", "pool", "other"] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];
export type CpuByKind = Record<ThreadKind, number>;

/** A thread's kind: each process's first thread is its event loop. */
export function kindOf(pid: number, tid: number, name: string): ThreadKind {
  if (tid === pid) return "main";
  if (name === "Worker") return "workers"; // Web Workers (the fs sync and probe pools)
  if (name.includes("JIT")) return "jit";
  // Long names keep only their last 15 characters: the GC's collector thread reads "ollector Thread".
  if (/Heap|ollector|scavenger/.test(name)) return "gc";
  if (name.startsWith("Bun Pool")) return "pool"; // async fs and other blocking calls
  return "other";
}

function zero(): CpuByKind {
  return { main: 0, workers: 0, jit: 0, gc: 0, pool: 0, other: 0 };
}

/** CPU seconds so far of every live thread in `root`'s tree, by kind. */
export function threadCpu(root: number): CpuByKind {
  const out = zero();
  for (const pid of processTree(root)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited since the tree was read
    }
    for (const t of tids) {
      const tid = Number(t);
      const st = readStat(pid, tid);
      if (st) out[kindOf(pid, tid, st.name)] += (Number(st.fields[UTIME]) + Number(st.fields[STIME])) / CLK_TCK;
    }
  }
  return out;
}

/**
 * The split of a cell's `totalSec` (the tree's CPU over the cell) between two readings: each
 * kind's growth, never negative; whatever the live threads do not account for goes to `other`.
 */
export function cpuSplit(before: CpuByKind, after: CpuByKind, totalSec: number): CpuByKind {
  const out = zero();
  let known = 0;
  for (const k of THREAD_KINDS) {
    if (k === "other") continue;
    out[k] = Math.max(0, after[k] - before[k]);
    known += out[k];
  }
  out.other = Math.max(0, Number.isFinite(totalSec) ? totalSec - known : after.other - before.other);
  return out;
}

/** Runs `work` while measuring `root`'s tree: CPU seconds it spent meanwhile (and by kind of thread) and its peak PSS. */
export async function measureTree<T>(root: number, work: () => Promise<T>): Promise<{ value: T; cpuSec: number; peakPssMb: number; cpuByThread: CpuByKind }> {
  const sampler = new TreePssSampler(root);
  try {
    const [cpu0, threads0] = [treeCpuSeconds(root), threadCpu(root)];
    const value = await work();
    const [cpu1, threads1] = [treeCpuSeconds(root), threadCpu(root)];
    const cpuSec = cpuSpent(cpu0, cpu1);
    return { value, cpuSec, peakPssMb: sampler.stop(), cpuByThread: cpuSplit(threads0, threads1, cpuSec) };
  } finally {
    // A failed load must not leave the timer running (it would keep the bench alive).
    sampler.stop();
  }
}

/**
 * Free loopback ports, all different: bind each to 0 and release them only once all are read.
 * Released one by one, the next bind got the same port back about once in 2,000 (a test server
 * was once given one port for S3 and console and refused to start).
 */
export function freePorts(count: number): number[] {
  const servers = Array.from({ length: count }, () => Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() }));
  const ports = servers.map((s) => s.port!); // read before stop: a stopped server's port reads 0
  for (const s of servers) s.stop(true);
  return ports;
}

export function freePort(): number {
  return freePorts(1)[0]!;
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
