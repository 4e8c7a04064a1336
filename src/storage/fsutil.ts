/**
 * Durable file primitives: a write is durable only after the file is fsynced, renamed into
 * place, and every directory whose entries changed is fsynced too. The blocking ones (write +
 * fsync, fsync of a directory) run on the sync worker pool when it is available (why: see
 * sync-workers.ts), else on Bun's async fs. On a drive with group sync (fs-sync.ts) each fsync
 * is instead a share of one syncfs of the filesystem that starts after the request.
 */
import { constants } from "node:fs";
import { mkdir, open, rename, rmdir, unlink, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { fsSyncOf, type FsSync } from "./fs-sync";
import { syncWorkers } from "./sync-workers";

/**
 * Concurrent fsyncs of one directory, folded: a request made while an fsync of that directory
 * is running waits for the next one, which starts after the running one ends and answers every
 * request made in between. Durability is unchanged: a directory fsync makes durable every entry
 * change made before the call started, and a request is only ever answered by a call that started
 * after the request was made, which is all its own call would have given. Why: concurrent PUTs
 * into one prefix each fsync the same parent directory; each fsync costs ~150 µs of kernel CPU
 * on this machine, and the server is CPU-bound under load.
 */
export class DirSyncs {
  private readonly running = new Map<string, { done: Promise<void>; next: Promise<void> | null }>();

  constructor(private readonly fsync: (path: string) => Promise<void>) {}

  sync(path: string): Promise<void> {
    const cur = this.running.get(path);
    if (cur === undefined) return this.start(path);
    cur.next ??= cur.done.then(noop, noop).then(() => this.start(path));
    return cur.next;
  }

  private start(path: string): Promise<void> {
    const entry: { done: Promise<void>; next: Promise<void> | null } = { done: Promise.resolve(), next: null };
    entry.done = this.fsync(path).finally(() => {
      if (entry.next === null && this.running.get(path) === entry) this.running.delete(path);
    });
    this.running.set(path, entry);
    return entry.done;
  }
}

function noop(): void {}

const dirSyncs = new DirSyncs((path) => {
  const pool = syncWorkers();
  return pool ? pool.run({ op: "fsync", path }) : fsyncDirAsync(path);
});

export function fsyncDir(path: string): Promise<void> {
  return fsSyncOf(path)?.sync() ?? dirSyncs.sync(path);
}

async function fsyncDirAsync(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Creates (or truncates) `path`, writes all of `data`, fsyncs and closes it. */
export async function writeFileSynced(path: string, data: Uint8Array): Promise<void> {
  const pool = syncWorkers();
  if (!pool) return writeFileSyncedAsync(path, data, "w");
  const group = fsSyncOf(path);
  if (!group) return pool.run({ op: "write", path, data });
  await pool.run({ op: "write", path, data, fsync: false });
  await group.sync();
}

/**
 * writeFileSynced for a file that must not exist yet (EEXIST otherwise); a failed write or fsync
 * removes the file again, so only a crash can leave it behind (empty or partial).
 */
export function createFileSynced(path: string, data: Uint8Array): Promise<void> {
  return createFileDurable(path, data, []);
}

/**
 * createFileSynced that also makes the entries of `dirs` durable (the file's own dir and any dir
 * created for it). With group sync that is one syncfs for all of it: the file's fsync and the
 * dirs' are one wait, not two in a row.
 */
export async function createFileDurable(path: string, data: Uint8Array, dirs: readonly string[]): Promise<void> {
  const pool = syncWorkers();
  const group = pool ? fsSyncOf(path) : null;
  if (pool && group) {
    await pool.run({ op: "write", path, data, exclusive: true, fsync: false });
    return syncOrRemove(group, path);
  }
  if (pool) await pool.run({ op: "write", path, data, exclusive: true });
  else {
    await writeFileSyncedAsync(path, data, "wx").catch(async (err) => {
      if ((err as { code?: string }).code !== "EEXIST") await unlink(path).catch(() => undefined);
      throw err;
    });
  }
  await fsyncDirs(dirs);
}

/** A file written without fsync becomes durable with its group's syncfs, or is removed again. */
function syncOrRemove(group: FsSync, path: string): Promise<void> {
  return group.sync().catch(async (err: unknown) => {
    await unlink(path).catch(() => undefined);
    throw err;
  });
}

/**
 * The common case of creating a small file, a new key's xl.meta, as one worker job instead of a
 * realpath, a mkdir and a write, each a hop to a pool thread and back: the file goes into a new
 * directory `dirname(path)` under `parent`, which must resolve to `realParent`. Answers false,
 * having changed nothing, when that does not hold (the dir exists, the parent is missing or
 * leads elsewhere) or there is no worker pool and group sync: the caller takes the general path.
 * After true the file and the new directory are durable, exactly as createFileDurable leaves them.
 */
export async function createInNewDir(path: string, data: Uint8Array, parent: string, realParent: string): Promise<boolean> {
  const pool = syncWorkers();
  const group = pool ? fsSyncOf(path) : null;
  if (!pool || !group) return false;
  const dir = dirname(path);
  if (!(await pool.ask<boolean>({ op: "create-in-new-dir", path, data, dir, parent, realParent }))) return false;
  await syncOrRemove(group, path);
  return true;
}

async function writeFileSyncedAsync(path: string, data: Uint8Array, flags: "w" | "wx"): Promise<void> {
  const fh = await open(path, flags);
  try {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await fh.write(data, done, data.length - done, null);
      done += bytesWritten;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs each distinct directory of `dirs`, in parallel; one group sync covers all its dirs. */
export async function fsyncDirs(dirs: readonly string[]): Promise<void> {
  const waits = new Map<unknown, Promise<void>>();
  for (const dir of dirs) {
    const group = fsSyncOf(dir);
    // Asked at the same moment, one syncfs serves them all; asked one by one, the second would
    // wait for the next round.
    if (!waits.has(group ?? dir)) waits.set(group ?? dir, group ? group.sync() : dirSyncs.sync(dir));
  }
  await Promise.all(waits.values());
}

/**
 * mkdir -p that reports which directories must be fsynced for the new entries to be durable:
 * the parent of the first directory created and every directory created below it. Empty when
 * the directory already existed.
 */
export async function mkdirDurable(dir: string): Promise<string[]> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return [];
  const created = [dir];
  for (let d = dir; d !== first && d.length > first.length; ) {
    d = dirname(d);
    created.push(d);
  }
  created.push(dirname(first));
  return created;
}

/**
 * Moves `src` to `dst`, fsyncing the target directory and any directories created for it.
 * `prepareDir` creates the target directory (the drive checks containment first) and returns
 * the directories to fsync, as mkdirDurable does. A concurrent prune of empty parents can
 * remove the directory between mkdir and rename; that is retried a few times.
 */
export async function renameDurable(
  src: string,
  dst: string,
  prepareDir: (dir: string) => Promise<string[]>,
): Promise<void> {
  const dir = dirname(dst);
  for (let attempt = 0; ; attempt++) {
    const created = await prepareDir(dir);
    try {
      await rename(src, dst);
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT" && attempt < 3) continue;
      throw err;
    }
    await fsyncDirs([dir, ...created]);
    return;
  }
}

/**
 * Reads `length` bytes at `offset`; fewer only at end of file. One thread-pool task (open, read,
 * close) where a FileHandle costs three round trips: a 512 KiB shard read took 1.5-2.5x the CPU.
 */
export function readAt(path: string, offset: number, length: number): Promise<Uint8Array> {
  return Bun.file(path).slice(offset, offset + length).bytes();
}

/** `O_NOATIME` where the platform has it: a read then never writes the inode (relatime's first read after a write does). */
const NOATIME: number = constants.O_NOATIME ?? 0;

/**
 * A file opened once for a run of positioned reads into callers' (reused) buffers: a GET's
 * shard file is read block after block, and an open and a close per block were two of every
 * three thread-pool tasks of a large GET. Opened with O_NOATIME as the file's owner (the
 * server wrote it); EPERM (someone else's file) opens it plainly.
 */
export class PositionedFile {
  private constructor(private readonly fh: FileHandle) {}

  static async open(path: string): Promise<PositionedFile> {
    if (NOATIME === 0) return new PositionedFile(await open(path, "r"));
    try {
      return new PositionedFile(await open(path, constants.O_RDONLY | NOATIME));
    } catch (err) {
      if ((err as { code?: string }).code !== "EPERM") throw err;
      return new PositionedFile(await open(path, "r"));
    }
  }

  /** Reads `into.length` bytes at `offset`; returns the bytes read, fewer only at end of file. */
  async readInto(offset: number, into: Uint8Array): Promise<number> {
    let got = 0;
    while (got < into.length) {
      const { bytesRead } = await this.fh.read(into, got, into.length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Removes `dir` and its parents while they are empty, stopping below `top` (a volume). */
export async function pruneEmptyDirs(dir: string, top: string): Promise<void> {
  for (let d = dir; d.length > top.length && d.startsWith(top + "/"); d = dirname(d)) {
    const removed = await rmdir(d).then(
      () => true,
      () => false,
    );
    if (!removed) return;
  }
}
