/**
 * Group commit: one syncfs(2) of a drive's filesystem makes durable every change made on it
 * before the call started, for all the writes waiting on it at once.
 *
 * Why: on this kind of machine every fsync is its own device flush (ext4 without a journal does
 * no batching), and a new key costs three (xl.meta, its directory, the parent) per drive. One
 * syncfs per filesystem per round replaces them all: measured with 32 writers on 4 drive dirs,
 * ~1 ms of CPU per object against ~2.5 ms, and ~1.3x the objects per second of one fsync per file.
 *
 * Why it keeps the promise:
 * - Linux documents that syncfs gives "the same guarantees as fsync() called on every file in
 *   the filesystem" (syncfs(2)); that includes directories, so the entries of new files and dirs.
 * - A request is only ever answered by a syncfs that started after the request was made (a
 *   request made while one runs waits for the next), which covers everything the caller wrote.
 * - Errors: since Linux 5.8 syncfs reports writeback errors of the filesystem seen since the
 *   descriptor was opened. The descriptor is opened when the drive opens, before any write, and
 *   kept, so no error is missed. A failed syncfs fails its waiters and also every request made
 *   while it ran (their data may have failed inside that call, whose report is then consumed).
 * - Where that cannot be shown, nothing changes: only Linux >= 5.8, only ext4, xfs and btrfs
 *   (a FUSE or network filesystem may not pass syncfs on), only with the fs worker pool, and
 *   only after a first syncfs worked on the drive. Otherwise (or CAIRN_FS_SYNCFS=0) callers
 *   keep the per-file and per-directory fsyncs.
 *
 * What it costs: a syncfs writes back everything dirty on the filesystem, a large upload's
 * shards and other programs' files included, so with gigabytes dirty one small PUT could wait
 * for all of it (and past the drive's deadline). So while the machine holds more than
 * DIRTY_MAX of dirty or in-flight pages (/proc/meminfo, read at most every 100 ms), requests
 * take the per-file fsyncs, which only wait for their own files.
 */
import { readFileSync } from "node:fs";
import { stat, statfs } from "node:fs/promises";
import { release } from "node:os";
import { dirname } from "node:path";
import { syncWorkers, type SyncWorkers } from "./sync-workers";

/** statfs f_type of the filesystems whose syncfs is a full local writeback + flush. */
const LOCAL_FS_TYPES = new Set([0xef53 /* ext2/3/4 */, 0x58465342 /* xfs */, 0x9123683e /* btrfs */]);

interface Group {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function group(): Group {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The syncs of one filesystem: at most one in flight; requests made meanwhile share the next. */
export class FsSync {
  private running = false;
  private waiting: Group | null = null;

  constructor(private readonly syncfs: () => Promise<void>) {}

  /** Resolves once a syncfs that started after this call has succeeded. */
  sync(): Promise<void> {
    if (!this.running) {
      const g = group();
      this.launch(g);
      return g.promise;
    }
    this.waiting ??= group();
    return this.waiting.promise;
  }

  private launch(g: Group): void {
    this.running = true;
    this.syncfs().then(
      () => this.settle(g, null),
      (err: unknown) => this.settle(g, err),
    );
  }

  private settle(g: Group, err: unknown): void {
    this.running = false;
    const next = this.waiting;
    this.waiting = null;
    if (err === null) {
      g.resolve();
      if (next) this.launch(next);
      return;
    }
    g.reject(err);
    next?.reject(err);
  }
}

/**
 * Drive roots with a working group sync, and one FsSync per filesystem (device). The device's
 * entry is a promise, set before the first await: drives open side by side, and each must find
 * the one being set up rather than set up its own (four drive dirs on one disk were syncing it
 * four times per round).
 */
const byRoot = new Map<string, FsSync>();
const byDevice = new Map<number, Promise<FsSync | null>>();

/** Another process's group sync to ask first (sync-relay.ts); null: this process's own. */
let relay: { sync(root: string): Promise<void> } | null = null;

/** Makes the groups set up from now on ask `to` first, and run their own syncfs only when it fails. */
export function relayGroupSyncs(to: { sync(root: string): Promise<void> } | null): void {
  relay = to;
}

function kernelAtLeast(major: number, minor: number): boolean {
  const [a = 0, b = 0] = release().split(".").map((p) => parseInt(p, 10));
  return a > major || (a === major && b >= minor);
}

function enabled(): boolean {
  return process.platform === "linux" && process.env.CAIRN_FS_SYNCFS !== "0" && kernelAtLeast(5, 8);
}

/** The group sync of the filesystem holding `root`, through a syncfs descriptor opened on it. */
async function deviceSync(pool: SyncWorkers, root: string): Promise<FsSync | null> {
  try {
    const fd = await pool.ask<number>({ op: "syncfs-open", path: root });
    // The descriptor is the process's, so any worker of a later pool may use it.
    const own = () => syncWorkers()?.run({ op: "syncfs", path: root, fd }) ?? Promise.reject(new Error("fs workers gone"));
    const leader = relay;
    return new FsSync(leader ? () => leader.sync(root).catch(own) : own);
  } catch {
    return null;
  }
}

/**
 * Sets up group sync for a drive root when its filesystem qualifies (see the file comment);
 * otherwise leaves the drive on per-file fsyncs. Never throws.
 */
export async function registerFsSync(root: string): Promise<boolean> {
  if (byRoot.has(root)) return true;
  const pool = syncWorkers();
  if (!pool || !enabled()) return false;
  try {
    const [fs, st] = await Promise.all([statfs(root), stat(root)]);
    if (!LOCAL_FS_TYPES.has(fs.type)) return false;
    let pending = byDevice.get(st.dev);
    if (!pending) {
      pending = deviceSync(pool, root);
      byDevice.set(st.dev, pending);
    }
    const sync = await pending;
    if (sync === null) {
      // A later drive of this filesystem may try again.
      if (byDevice.get(st.dev) === pending) byDevice.delete(st.dev);
      return false;
    }
    attachFsSync(root, sync);
    return true;
  } catch {
    return false;
  }
}

/** Makes `sync` the group sync of everything under `root` (registerFsSync; tests). */
export function attachFsSync(root: string, sync: FsSync): void {
  byRoot.set(root, sync);
}

const DIRTY_MAX = 64 * 1024 * 1024;
const DIRTY_EVERY_MS = 100;

/** Dirty + writeback bytes from /proc/meminfo; 0 where it cannot be read. */
function dirtyBytesNow(): number {
  try {
    const info = readFileSync("/proc/meminfo", "latin1");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(info)?.[1] ?? 0);
    return (kb("Dirty") + kb("Writeback")) * 1024;
  } catch {
    return 0;
  }
}

let dirtyProbe = dirtyBytesNow;
let dirtyAt = Number.NEGATIVE_INFINITY;
let dirtyHigh = false;

function tooMuchDirty(): boolean {
  const now = performance.now();
  if (now - dirtyAt >= DIRTY_EVERY_MS) {
    dirtyAt = now;
    dirtyHigh = dirtyProbe() > DIRTY_MAX;
  }
  return dirtyHigh;
}

/** Replaces the /proc/meminfo reading (tests; null puts it back); the next fsSyncOf reads afresh. */
export function setDirtyProbe(probe: (() => number) | null): void {
  dirtyProbe = probe ?? dirtyBytesNow;
  dirtyAt = Number.NEGATIVE_INFINITY;
}

/** The group sync covering `path` (under a registered drive root), or null. */
export function fsSyncOf(path: string): FsSync | null {
  // Without the worker pool (it broke), callers go back to Bun's async fs and plain fsyncs.
  if (byRoot.size === 0 || syncWorkers() === null || tooMuchDirty()) return null;
  for (let d = path, up = dirname(d); up !== d; d = up, up = dirname(d)) {
    const sync = byRoot.get(d);
    if (sync) return sync;
  }
  return null;
}
