/**
 * The blocking steps of a durable write (write + fsync of a small file, fsync of a directory)
 * on a pool of Worker threads that call the synchronous fs API.
 *
 * Why: Bun runs every async fs call on one process-wide pool of max(cores, 2) threads, two on
 * this kind of machine. An fsync holds its thread for a whole journal commit, so no more than two
 * fsyncs were ever in flight, and every other fs call (reads of xl.meta, stats, renames) queued
 * behind them: a 4 KiB PUT on 4 drives does 12 fsyncs, and 32 concurrent PUTs reached about a
 * fifth of what the disk allows. With many fsyncs in flight at once, the filesystem folds them
 * into shared journal commits (ext4 does), so throughput grows with the number of waiters.
 *
 * The on-disk protocol does not change: a job returns only after its fsync returned, exactly as
 * the async call did, so every durability argument made by the callers still holds.
 *
 * Workers start on demand up to the width, are ref'd only while they hold a job (an idle pool
 * must not keep a finished process alive; awaiting an unref'd worker makes Bun's loop spin), and
 * a worker that dies fails only its own job and is replaced by the next dispatch. The source is
 * a Blob URL, as for the MD5 worker, so a compiled executable needs no extra entry point.
 */

import { ERRNO_WORKER_SOURCE } from "../../ffi/errno";
import { SYNCFS_WORKER_SOURCE } from "../../ffi/syncfs";

/**
 * Jobs the worker knows; each is one synchronous sequence. `exclusive` creates the file (EEXIST
 * if it exists) and removes it again if the write or the fsync fails; `fsync: false` leaves the
 * fsync to a later syncfs of the whole filesystem (fs-sync.ts). `syncfs` syncs the filesystem
 * of `fd`, a descriptor `syncfs-open` opened on `path` (and answered with as its value).
 * `create-in-new-dir` is a small file's whole creation in a directory made for it: it answers
 * false, having changed nothing, unless `parent` resolves to `realParent` (no symlink leads out)
 * and `dir` did not exist; then it makes `dir` and writes the file there as an exclusive write
 * without fsync, and answers true.
 */
export type SyncJob =
  | { op: "write"; path: string; data: Uint8Array; exclusive?: boolean; fsync?: boolean }
  | { op: "create-in-new-dir"; path: string; data: Uint8Array; dir: string; parent: string; realParent: string }
  | { op: "fsync"; path: string }
  | { op: "syncfs-open"; path: string }
  | { op: "syncfs"; path: string; fd: number };

/** Any job of a pool built on another worker source (`path` picks its drive lane). */
export type WorkerJob = { op: string; path: string };

const WORKER_SOURCE = `
const fs = require("node:fs");
${ERRNO_WORKER_SOURCE}
${SYNCFS_WORKER_SOURCE}
function writeSynced(path, data, exclusive, sync) {
  const fd = fs.openSync(path, exclusive ? "wx" : "w");
  try {
    let done = 0;
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
    if (sync) fs.fsyncSync(fd);
  } catch (err) {
    if (exclusive) try { fs.unlinkSync(path); } catch {}
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}
function createInNewDir(m) {
  let real;
  try {
    real = fs.realpathSync(m.parent);
  } catch {
    return false;
  }
  if (real !== m.realParent) return false;
  try {
    fs.mkdirSync(m.dir);
  } catch (err) {
    if (err && (err.code === "EEXIST" || err.code === "ENOENT")) return false;
    throw err;
  }
  writeSynced(m.path, m.data, true, false);
  return true;
}
function fsyncPath(path) {
  const fd = fs.openSync(path, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
function syncfs(fd) {
  const errno = syncfsErrno(fd);
  if (errno === 0) return;
  throw errnoError(errno, "syncfs failed");
}
function syncfsOpen(path) {
  const fd = fs.openSync(path, "r");
  try {
    syncfs(fd); // proves syncfs works here before anyone relies on it
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return fd;
}
self.onmessage = (e) => {
  const m = e.data;
  try {
    let value;
    if (m.op === "write") writeSynced(m.path, m.data, m.exclusive === true, m.fsync !== false);
    else if (m.op === "create-in-new-dir") value = createInNewDir(m);
    else if (m.op === "fsync") fsyncPath(m.path);
    else if (m.op === "syncfs-open") value = syncfsOpen(m.path);
    else if (m.op === "syncfs") syncfs(m.fd);
    else throw new Error("unknown job " + m.op);
    postMessage({ ok: true, value });
  } catch (err) {
    postMessage({ ok: false, code: err && typeof err.code === "string" ? err.code : undefined, message: String(err && err.message ? err.message : err) });
  }
};`;

/** What a worker posts back; another worker source may answer with a `value`. */
type Reply = { ok: true; value?: unknown } | { ok: false; code?: string; message: string };

/** An fs failure carried back from a worker, with the errno code the caller maps (errno.ts). */
export class SyncJobError extends Error {
  override readonly name = "SyncJobError";
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  job: WorkerJob;
  lane: string;
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  current: Pending | null;
  answered: boolean;
}

export class SyncWorkers {
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly url: string;
  /** Drive roots; a job's lane is the root its path lies under ("" for none). */
  private readonly roots = new Set<string>();
  private readonly busy = new Map<string, number>();
  /** Set when a worker died before ever answering: the runtime cannot run this pool. */
  broken = false;

  /** `source`: another worker script speaking the same Reply protocol (default: the fs sync jobs). */
  constructor(
    readonly width: number,
    source: string = WORKER_SOURCE,
  ) {
    this.url = URL.createObjectURL(new Blob([source], { type: "application/javascript" }));
  }

  /** Workers started so far (tests read it to tell the pool from the fallback). */
  get started(): number {
    return this.slots.length;
  }

  /** Starts the first worker now, so a runtime without workers is found before any job. */
  warm(): void {
    if (this.slots.length === 0) this.idle.push(this.spawn());
  }

  /**
   * Registers a drive root. A hung disk must not take every worker: a job waits while half the
   * workers are already busy on its drive, so the other drives keep the rest (a stuck syscall
   * cannot be cancelled; the drive's deadline answers the caller, the worker stays stuck).
   */
  addLane(root: string): void {
    this.roots.add(root);
  }

  /**
   * The deepest registered root that is `path` or one of its ancestors: prefix tests, as a
   * dirname per path level showed in a small PUT's profile.
   */
  private laneOf(path: string): string {
    let lane = "";
    for (const root of this.roots) {
      if (root.length > lane.length && path.startsWith(root) && (path.length === root.length || path[root.length] === "/")) lane = root;
    }
    return lane;
  }

  private laneOpen(lane: string): boolean {
    const cap = lane === "" || this.roots.size <= 1 ? this.width : Math.ceil(this.width / 2);
    return (this.busy.get(lane) ?? 0) < cap;
  }

  run(job: SyncJob): Promise<void> {
    return this.ask<void>(job);
  }

  /** A job for this pool's worker source; resolves with the worker's `value`. */
  ask<R>(job: SyncJob | WorkerJob): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const p: Pending = { job, lane: this.laneOf(job.path), resolve: resolve as (value: unknown) => void, reject };
      const slot = this.laneOpen(p.lane) ? (this.idle.pop() ?? (this.slots.length < this.width ? this.spawn() : null)) : null;
      if (slot) this.give(slot, p);
      else this.queue.push(p);
    });
  }

  /** The first queued job whose drive is under its share of workers. */
  private dequeue(): Pending | undefined {
    const i = this.queue.findIndex((p) => this.laneOpen(p.lane));
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.url), current: null, answered: false };
    slot.worker.unref();
    slot.worker.onmessage = (e: MessageEvent<Reply>) => this.settle(slot, e.data);
    slot.worker.onerror = (e) => this.lose(slot, new SyncJobError(undefined, `fs worker failed: ${e.message}`));
    this.slots.push(slot);
    return slot;
  }

  private give(slot: Slot, p: Pending): void {
    if (slot.current === null) slot.worker.ref();
    slot.current = p;
    this.busy.set(p.lane, (this.busy.get(p.lane) ?? 0) + 1);
    slot.worker.postMessage(p.job);
  }

  private settle(slot: Slot, r: Reply): void {
    const p = slot.current;
    slot.current = null;
    slot.answered = true;
    if (p) {
      this.release(p);
      if (r.ok) p.resolve(r.value);
      else p.reject(new SyncJobError(r.code, r.message));
    }
    this.next(slot);
  }

  private release(p: Pending): void {
    this.busy.set(p.lane, (this.busy.get(p.lane) ?? 1) - 1);
  }

  private next(slot: Slot): void {
    const p = this.dequeue();
    if (p) return this.give(slot, p);
    slot.worker.unref();
    this.idle.push(slot);
  }

  /** A dead worker fails its own job only; the queue moves on to a fresh worker. */
  private lose(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    if (!slot.answered) this.broken = true;
    this.slots.splice(i, 1);
    const j = this.idle.indexOf(slot);
    if (j >= 0) this.idle.splice(j, 1);
    slot.worker.unref();
    slot.worker.terminate();
    if (slot.current) {
      this.release(slot.current);
      slot.current.reject(err);
    }
    slot.current = null;
    if (this.broken) {
      for (const q of this.queue.splice(0)) q.reject(err);
      return;
    }
    const p = this.dequeue();
    if (p) this.give(this.spawn(), p);
  }
}

/** Width of the process's pool: enough waiters for the filesystem to group their commits. */
const DEFAULT_WIDTH = 16;

let shared: SyncWorkers | null | undefined;

/**
 * The process's pool, or null where workers cannot start (the callers then use async fs).
 * CAIRN_FS_WORKERS sets the width; 0 turns the pool off.
 */
export function syncWorkers(): SyncWorkers | null {
  if (shared?.broken) shared = null;
  if (shared !== undefined) return shared;
  const width = Number(process.env.CAIRN_FS_WORKERS ?? DEFAULT_WIDTH);
  if (!Number.isInteger(width) || width <= 0) return (shared = null);
  try {
    const pool = new SyncWorkers(width);
    pool.warm();
    shared = pool;
  } catch {
    shared = null;
  }
  return shared;
}
