/**
 * Several server processes on one S3 port (node:cluster: Bun's workers listen with SO_REUSEPORT
 * and the kernel spreads connections over them), so small requests use every core. Each worker
 * is a whole server on the same drives; what keeps them one server:
 * - namespace locks take a byte-range lock on a shared lock file too (storage/range-locks.ts);
 * - caches check change counters in a shared mapped file (erasure/generations.ts);
 * - start-up work that assumes nobody else is running (formatting blank drives, emptying the
 *   drives' tmp areas) happens once, in worker 1's first start, before the others are forked;
 * - each worker stages its writes in its own share of the drives' tmp area (`tmp/w<i>`), which
 *   it empties when it is started again after dying (storage/tmp-area.ts);
 * - background scans (heal, lifecycle) and the console run in worker 1 only, and worker 1 runs
 *   the group commit's syncfs for all (storage/sync-relay.ts: two flushing apart halve small PUTs);
 * - a metrics scrape, whichever worker answers it, sums every worker's counters (the primary
 *   relays the request).
 * The primary serves nothing: it forks, restarts a worker that dies, relays, and stops them all.
 */
import cluster, { type Worker } from "node:cluster";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Env } from "./address";

/** What a worker is told by the primary, through its environment. */
export interface WorkerRole {
  /** 1..count; worker 1 runs the background scans and the console. */
  index: number;
  count: number;
  /** This is worker 1's first start: nobody else is using the drives yet. */
  first: boolean;
  /** The shared state's directory: `generations` and `locks` inside. */
  stateDir: string;
}

const ENV_INDEX = "CAIRN_WORKER_INDEX";
const ENV_COUNT = "CAIRN_WORKER_COUNT";
const ENV_FIRST = "CAIRN_WORKER_FIRST";
const ENV_STATE = "CAIRN_WORKER_STATE";
/** A worker that dies is started again after this long (a crash loop stays slow). */
const RESTART_DELAY_MS = 1000;

type Message =
  | { cmd: "cairn:ready" }
  | { cmd: "cairn:gather"; id: number }
  | { cmd: "cairn:snapshot"; id: number; snapshot: unknown }
  | { cmd: "cairn:gathered"; id: number; snapshots: unknown[] };

/**
 * How many server processes: CAIRN_PROCESSES (a number, or `auto`: one per core, at most 8).
 * One when the port is 0: each worker would bind a port of its own.
 */
export function processCount(env: Env, port: number): number {
  const text = (env.CAIRN_PROCESSES ?? "1").trim();
  const wanted = text === "auto" ? Math.min(availableParallelism(), 8) : Number(text);
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > 64) {
    throw new Error(`CAIRN_PROCESSES=${text}: must be a whole number from 1 to 64, or auto`);
  }
  return port === 0 ? 1 : wanted;
}

/** This process's role when the cluster's primary forked it; null for a lone server. */
export function workerRole(env: Env = process.env): WorkerRole | null {
  if (!cluster.isWorker || env[ENV_INDEX] === undefined || env[ENV_STATE] === undefined) return null;
  const index = Number(env[ENV_INDEX]);
  return { index, count: Number(env[ENV_COUNT] ?? index), first: env[ENV_FIRST] === "1", stateDir: env[ENV_STATE] };
}

/**
 * Throws (EADDRINUSE) when something listens on the S3 address. The workers bind with
 * SO_REUSEPORT, which would let them share the port with another program that did too (another
 * Cairn of several processes) instead of failing as a lone server does: so the primary binds it
 * once without, and lets go.
 */
export function checkPortFree(address: { host: string; port: number }): void {
  const probe = Bun.listen({ hostname: address.host || "0.0.0.0", port: address.port, socket: { data() {} } });
  probe.stop(true);
}

/** The state directory: in memory (/dev/shm) where there is one, since only the processes read it. */
function makeStateDir(): string {
  for (const base of ["/dev/shm", tmpdir()]) {
    try {
      return mkdtempSync(join(base, "cairn-"));
    } catch {
      // next
    }
  }
  throw new Error("cannot create a directory for the server processes' shared state");
}

/**
 * The primary: forks worker 1, waits until it serves (or exits: its error is already on stderr,
 * and its exit code is ours), forks the rest, then keeps them running until SIGTERM/SIGINT.
 * Resolves with the exit code.
 */
export async function runPrimary(count: number): Promise<number> {
  // A compiled executable's processes get its own path as argv[1] whatever they are told, so
  // what fork passes as the script would arrive as the first argument: pass the command there.
  if (Bun.main.startsWith("/$bunfs/")) cluster.setupPrimary({ exec: process.argv[2]!, args: process.argv.slice(3) });
  const stateDir = makeStateDir();
  const workers = new Map<number, Worker>();
  let stopping = false;
  const fork = (index: number, first: boolean): Worker => {
    const env = { [ENV_INDEX]: String(index), [ENV_COUNT]: String(count), [ENV_FIRST]: first ? "1" : "0", [ENV_STATE]: stateDir };
    const w = cluster.fork(env);
    workers.set(index, w);
    w.on("message", (m: Message) => relay(workers, w, m));
    return w;
  };
  const stopped = stopSignal();
  try {
    const w1 = fork(1, true);
    const firstExit = await new Promise<number | null>((resolve) => {
      w1.on("message", (m: Message) => m.cmd === "cairn:ready" && resolve(null));
      w1.on("exit", (code) => resolve(code ?? 1));
      // Stopped while starting: worker 1 stops as it would at any time (its exit resolves this).
      void stopped.then(() => w1.process.kill("SIGTERM"));
    });
    if (firstExit !== null) return stopping ? 0 : firstExit;
    for (let i = 2; i <= count; i++) fork(i, false);
    const allGone = new Promise<void>((resolve) => {
      cluster.on("exit", (dead) => {
        const index = [...workers].find(([, w]) => w === dead)?.[0];
        if (index !== undefined) workers.delete(index);
        if (!stopping && index !== undefined) setTimeout(() => !stopping && fork(index, false), RESTART_DELAY_MS);
        if (stopping && workers.size === 0) resolve();
      });
    });
    await stopped;
    for (const w of workers.values()) w.process.kill("SIGTERM");
    if (workers.size > 0) await allGone;
    return 0;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }

  /** The first SIGTERM/SIGINT; a second one ends the primary at once (its workers follow it). */
  function stopSignal(): Promise<void> {
    return new Promise((resolve) => {
      const on = () => {
        if (stopping) process.exit(1);
        stopping = true;
        resolve();
      };
      process.on("SIGTERM", on);
      process.on("SIGINT", on);
    });
  }
}

/** Scrapes being gathered, by the primary's id: who asked (and its id) and the snapshots so far. */
interface Gathering {
  asker: Worker;
  askerId: number;
  expected: number;
  snapshots: unknown[];
}
const gatherings = new Map<number, Gathering>();
/** A worker gives up on a scrape's other workers after this long and answers with what it has. */
const GATHER_TIMEOUT_MS = 2000;
let nextGather = 1;

function relay(workers: Map<number, Worker>, from: Worker, m: Message): void {
  if (m.cmd === "cairn:gather") {
    const live = [...workers.values()].filter((w) => w.isConnected());
    const id = nextGather++;
    gatherings.set(id, { asker: from, askerId: m.id, expected: live.length, snapshots: [] });
    // A worker that died meanwhile never answers: the asker has given up by then.
    setTimeout(() => gatherings.delete(id), GATHER_TIMEOUT_MS).unref();
    for (const w of live) w.send({ cmd: "cairn:gather", id } satisfies Message);
  } else if (m.cmd === "cairn:snapshot") {
    const g = gatherings.get(m.id);
    if (!g) return;
    g.snapshots.push(m.snapshot);
    if (g.snapshots.length < g.expected) return;
    gatherings.delete(m.id);
    if (g.asker.isConnected()) g.asker.send({ cmd: "cairn:gathered", id: g.askerId, snapshots: g.snapshots } satisfies Message);
  }
}


/**
 * The worker's side: answers the primary's gathers with `snapshot()`, and stops the server
 * (`stop`) when the primary is gone (killed: nothing would restart or stop this worker).
 */
export class WorkerLink {
  private readonly waiting = new Map<number, (snapshots: unknown[]) => void>();
  private nextId = 1;

  constructor(snapshot: () => unknown, stop: () => void) {
    process.on("message", (m: Message) => {
      if (m.cmd === "cairn:gather") process.send?.({ cmd: "cairn:snapshot", id: m.id, snapshot: snapshot() } satisfies Message);
      else if (m.cmd === "cairn:gathered") this.waiting.get(m.id)?.(m.snapshots);
    });
    process.on("disconnect", stop);
  }

  /** The server is open: the primary may fork the next workers. */
  ready(): void {
    process.send?.({ cmd: "cairn:ready" } satisfies Message);
  }

  /** Every live worker's snapshot (this one's included), or null when they did not all answer in time. */
  gather(): Promise<unknown[] | null> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), GATHER_TIMEOUT_MS);
      const done = (snapshots: unknown[] | null) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(snapshots);
      };
      this.waiting.set(id, done);
      process.send?.({ cmd: "cairn:gather", id } satisfies Message);
    });
  }
}
