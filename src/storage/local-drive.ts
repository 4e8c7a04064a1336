/**
 * A Drive over one local directory. Layout (see paths.ts for how keys become directories):
 *
 *   <root>/.cairn.sys/format.json     identity            <root>/.cairn.sys/tmp/…   in flight
 *   <root>/<volume>/<key dirs>/~xl.meta                   <root>/<volume>/<key dirs>/~d.<dataDir>/…
 *
 * Every write is temp file → fsync → rename → fsync of each directory whose entries changed;
 * the rename of xl.meta is the commit point of an object. Every call runs through DriveHealth,
 * which maps errors to DriveError, cuts off calls that outlive a deadline, and takes the drive
 * offline after repeated faults.
 * Nothing reachable from a key can leave the volume: keys are validated and escaped, and the
 * directories a call touches are checked with realpath against the root, so a planted symlink
 * cannot redirect writes or reads outside it.
 */
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, statfs, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import {
  DriveError,
  SYSTEM_DIR,
  type CommitSource,
  type DataFileReader,
  type DataFileRef,
  type DiskInfo,
  type Drive,
  type FileWriter,
  type FormatInfo,
  type TmpScope,
  type VolumeInfo,
  type WalkEntry,
  type WalkOptions,
  type WalkRoot,
} from "./drive";
import { isNotFound } from "./errno";
import { decodeFormat, encodeFormat } from "./format";
import { fsyncDir, pruneEmptyDirs, PositionedFile, readAt, renameDurable } from "./fsutil";
import { atomicWrite, cleanTmpArea, tmpDir, tmpName, tmpRoundTrip } from "./tmp-area";
import { registerFsSync } from "./fs-sync";
import { DriveHealth, type HealthOptions, type RunOptions } from "./health";
import { dataDirName, dataDirOf, isSafeVolume, META_FILE } from "./paths";
import { createKeyMeta, IN_PLACE_MAX, nonEmptyMeta, writeMetaFile } from "./meta-write";
import { openSysWriter } from "./sys-writer";
import { syncWorkers } from "./sync-workers";
import { walkVolumeBatches } from "./walk";
import { DrivePaths } from "./drive-paths";

/** Fault threshold, probe interval and per-call deadline (see health.ts). */
export type LocalDriveOptions = HealthOptions;

/** The data dirs in a key's directory (none when it has no directory). */
async function dataDirsIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err) => (isNotFound(err) ? [] : Promise.reject(err)));
  return names.map(dataDirOf).filter((d) => d !== null);
}

export class LocalDrive implements Drive {
  readonly endpoint: string;
  private readonly health: DriveHealth;
  private readonly sys: string;
  private readonly root: string;

  private constructor(
    private readonly paths: DrivePaths,
    opts: LocalDriveOptions,
  ) {
    this.root = this.endpoint = paths.root;
    this.sys = paths.sysDir;
    this.health = new DriveHealth(this.root, () => this.probe(), opts);
    syncWorkers()?.addLane(this.root);
  }

  /**
   * Opens a drive directory, creating it and `.cairn.sys/tmp` when missing. Does not clean tmp
   * (call cleanupTmp). A drive that cannot be prepared is returned offline rather than thrown,
   * so one dead disk does not stop a server that still has quorum; its probe retries later.
   */
  static async open(root: string, opts: LocalDriveOptions = {}): Promise<LocalDrive> {
    const drive = new LocalDrive(new DrivePaths(resolve(root)), opts);
    await drive.prepare().catch(() => drive.health.markOffline());
    return drive;
  }

  private async prepare(): Promise<void> {
    await mkdir(tmpDir(this.sys), { recursive: true });
    await this.paths.resolveRoot();
    await registerFsSync(this.root); // before any write: see fs-sync.ts on errors
  }

  isOnline(): boolean {
    return this.health.isOnline();
  }

  private run<T>(op: () => Promise<T>, opts?: RunOptions): Promise<T> {
    return this.health.run(op, opts);
  }

  /** tmp-area.ts's atomic write; creates missing parents (but never volumes). */
  private atomicWrite(target: string, data: Uint8Array): Promise<void> {
    return atomicWrite(this.sys, target, data, (dir) => this.paths.makeDirInside(dir));
  }

  // ---- drive ----

  diskInfo(): Promise<DiskInfo> {
    return this.run(async () => {
      const s = await statfs(this.root);
      return { total: s.blocks * s.bsize, free: s.bavail * s.bsize, inodesTotal: s.files, inodesFree: s.ffree };
    });
  }

  readFormat(): Promise<FormatInfo | null> {
    return this.run(async () => {
      const bytes = await readFile(join(this.sys, "format.json")).catch((err) => {
        if (isNotFound(err)) return null;
        throw err;
      });
      if (bytes === null) return null;
      const format = decodeFormat(bytes);
      if (format === null) throw new DriveError("FileCorrupt", this.endpoint, "format.json is not valid");
      return format;
    });
  }

  writeFormat(format: FormatInfo): Promise<void> {
    return this.run(() => this.atomicWrite(join(this.sys, "format.json"), encodeFormat(format)));
  }

  // ---- volumes ----

  makeVolume(volume: string): Promise<void> {
    return this.run(
      async () => {
        await mkdir(this.paths.volume(volume));
        await fsyncDir(this.root);
      },
      { exists: "VolumeExists" },
    );
  }

  listVolumes(): Promise<VolumeInfo[]> {
    return this.run(async () => {
      const entries = await readdir(this.root, { withFileTypes: true });
      const names = entries.filter((e) => e.isDirectory() && isSafeVolume(e.name)).map((e) => e.name);
      const infos = await Promise.all(names.map((n) => this.volumeInfo(n).catch(() => null)));
      return infos.filter((v): v is VolumeInfo => v !== null).sort((a, b) => (a.name < b.name ? -1 : 1));
    });
  }

  private async volumeInfo(volume: string): Promise<VolumeInfo> {
    const st = await stat(this.paths.volume(volume));
    if (!st.isDirectory()) throw new DriveError("VolumeNotFound", this.endpoint, volume);
    const created = st.birthtimeMs > 0 ? st.birthtime : st.mtime;
    return { name: volume, created };
  }

  statVolume(volume: string): Promise<VolumeInfo> {
    return this.run(() => this.volumeInfo(volume), { missing: "VolumeNotFound" });
  }

  deleteVolume(volume: string, opts: { force?: boolean } = {}): Promise<void> {
    // After the volume is gone (or not), `missing` must look at the disk again.
    const remove = () => this.removeVolume(volume, opts.force === true).finally(() => this.paths.forgetVolume(volume));
    return this.run(remove, { missing: "VolumeNotFound", unbounded: true });
  }

  private async removeVolume(volume: string, force: boolean): Promise<void> {
    const dir = await this.paths.requireVolume(volume);
    if (!force) {
      const removed = await rmdir(dir).then(
        () => true,
        (err) => (err.code === "ENOTEMPTY" || err.code === "EEXIST" ? false : Promise.reject(err)),
      );
      if (removed) return fsyncDir(this.root);
      // Leftover empty directories (or a crashed create's empty xl.meta) do not make a volume non-empty.
      const first = await walkVolumeBatches(dir, {}, (op) => op()).next();
      if (!first.done) throw new DriveError("VolumeNotEmpty", this.endpoint, volume);
    }
    // Rename first so the volume disappears at once; cleanupTmp finishes an interrupted rm.
    const trash = tmpName(this.sys);
    await rename(dir, trash);
    await fsyncDir(this.root);
    await rm(trash, { recursive: true, force: true });
  }

  // ---- objects ----

  readMeta(volume: string, key: string): Promise<Uint8Array> {
    return this.run(async () => {
      const dir = this.paths.object(volume, key);
      try {
        // The Buffer as it is: re-wrapping it read `.buffer`, which costs JSC more than the read.
        return nonEmptyMeta(await this.readInside(dir, readFile(`${dir}/${META_FILE}`)), this.endpoint);
      } catch (err) {
        throw isNotFound(err) ? await this.paths.missing(volume, err) : err;
      }
    });
  }

  writeMeta(volume: string, key: string, meta: Uint8Array): Promise<void> {
    return this.run(async () => {
      const dir = this.paths.object(volume, key);
      await this.paths.requireVolume(volume);
      await this.atomicWrite(join(dir, META_FILE), meta);
    });
  }

  commit(volume: string, key: string, meta: Uint8Array, source: CommitSource | null): Promise<void> {
    return this.run(async () => {
      const dir = this.paths.object(volume, key);
      await this.paths.requireVolume(volume);
      if (source !== null) await this.moveData(dir, source);
      const replace = (path: string, data: Uint8Array) => this.atomicWrite(path, data);
      // The staging dir stays: it is its caller's (heal stages several versions in one and
      // commits them one by one; every caller removes its own in the end).
      await writeMetaFile(join(dir, META_FILE), meta, { makeDir: (d) => this.paths.makeDirInside(d), replace });
    });
  }

  createMeta(volume: string, key: string, meta: Uint8Array): Promise<boolean> {
    if (meta.length > IN_PLACE_MAX) return Promise.resolve(false);
    return this.run(() => createKeyMeta(this.paths, volume, key, meta));
  }

  /** Moves the staged data dir beside xl.meta and makes the move durable before xl.meta. */
  private async moveData(dir: string, source: CommitSource): Promise<void> {
    const staged = join(this.paths.sys(source.staging), this.paths.name(source.dataDir));
    const target = join(dir, dataDirName(source.dataDir));
    if (source.files === undefined) {
      await renameDurable(staged, target, (d) => this.paths.makeDirInside(d));
      await fsyncDir(target);
      return;
    }
    const files = source.files.map((f) => this.paths.name(f));
    const created = await this.paths.makeDirInside(target);
    await Promise.all(files.map((f) => rename(join(staged, f), join(target, f))));
    await Promise.all([...new Set([target, dir, ...created])].map(fsyncDir));
  }

  restoreStaged(volume: string, key: string, source: CommitSource): Promise<void> {
    return this.run(async () => {
      const dir = this.paths.object(volume, key);
      const moved = join(dir, dataDirName(this.paths.name(source.dataDir)));
      const staged = join(this.paths.sys(source.staging), this.paths.name(source.dataDir));
      await this.paths.assertInside(moved);
      await mkdir(staged, { recursive: true });
      const files = (source.files ?? []).map((f) => this.paths.name(f));
      await Promise.all(files.map((f) => rename(join(moved, f), join(staged, f))));
      await fsyncDir(staged);
      await rm(moved, { recursive: true, force: true });
    });
  }

  deleteDataDir(volume: string, key: string, dataDir: string): Promise<void> {
    return this.run(async () => {
      const dir = this.paths.object(volume, key);
      const target = join(dir, dataDirName(this.paths.name(dataDir)));
      try {
        await this.paths.assertInside(target);
        await rm(target, { recursive: true });
      } catch (err) {
        throw isNotFound(err) ? await this.paths.missing(volume, err) : err;
      }
    });
  }

  deleteObject(volume: string, key: string): Promise<void> {
    return this.run(async () => {
      const dir = this.paths.object(volume, key);
      try {
        await this.paths.assertInside(dir);
        await unlink(join(dir, META_FILE)); // the commit point of the delete
      } catch (err) {
        throw isNotFound(err) ? await this.paths.missing(volume, err) : err;
      }
      await fsyncDir(dir);
      const dataDirs = await dataDirsIn(dir).catch(() => []);
      await Promise.all(dataDirs.map((d) => rm(join(dir, dataDirName(d)), { recursive: true, force: true })));
      await pruneEmptyDirs(dir, this.paths.volume(volume));
    });
  }

  listDataDirs(volume: string, key: string): Promise<string[]> {
    return this.run(async () => {
      const dir = this.paths.object(volume, key);
      await this.paths.assertInside(dir);
      return dataDirsIn(dir);
    });
  }

  readFile(volume: string, key: string, dataDir: string, file: string, offset: number, length: number): Promise<Uint8Array> {
    return this.readData({ volume, key, dataDir, file }, async (path) =>
      this.exactly(await readAt(path, offset, length), length, path),
    );
  }

  async openFile(ref: DataFileRef): Promise<DataFileReader> {
    let opened: { file: PositionedFile; path: string } | undefined;
    try {
      await this.readData(ref, async (path) => void (opened = { file: await PositionedFile.open(path), path }));
    } catch (err) {
      await opened?.file.close(); // opened, but the containment check (run beside the open) failed
      throw err;
    }
    const { file, path } = opened!;
    const readInto = (offset: number, into: Uint8Array) =>
      this.run(async () => void this.exactly(into.subarray(0, await file.readInto(offset, into)), into.length, path));
    return { readInto, close: () => file.close() };
  }

  private readData<T>(ref: DataFileRef, read: (path: string) => Promise<T>): Promise<T> {
    return this.run(async () => {
      const dir = join(this.paths.object(ref.volume, ref.key), dataDirName(this.paths.name(ref.dataDir)));
      try {
        return await this.readInside(dir, read(join(dir, this.paths.name(ref.file))));
      } catch (err) {
        throw isNotFound(err) ? await this.paths.missing(ref.volume, err) : err;
      }
    });
  }

  /**
   * Reads while checking that `dir` is inside the root, in parallel (the read is harmless until
   * returned); the containment verdict wins over the read's own error.
   */
  private async readInside<T>(dir: string, read: Promise<T>): Promise<T> {
    const [inside, data] = await Promise.allSettled([this.paths.assertInsideForRead(dir), read]);
    if (inside.status === "rejected") throw inside.reason;
    if (data.status === "rejected") throw data.reason;
    return data.value;
  }

  private exactly(data: Uint8Array, length: number, path: string): Uint8Array {
    if (data.length !== length) {
      throw new DriveError("FileCorrupt", this.endpoint, `${path}: short read (${data.length} of ${length} bytes)`);
    }
    return data;
  }

  async *walk(volume: string, opts: WalkOptions = {}): AsyncGenerator<WalkEntry> {
    for await (const batch of this.walkBatches(volume, opts)) yield* batch;
  }

  async *walkBatches(volume: string, opts: WalkOptions = {}): AsyncGenerator<WalkEntry[]> {
    const { abs, guard } = await this.walkRoot(volume);
    yield* walkVolumeBatches(abs, opts, guard);
  }

  async walkRoot(volume: string): Promise<WalkRoot> {
    const abs = await this.run(async () => {
      const d = await this.paths.requireVolume(volume);
      await this.paths.assertInside(d);
      return d;
    });
    return { abs, guard: (op) => this.run(op) };
  }

  // ---- the system area ----

  createSysWriter(path: string, sizeHint?: number): Promise<FileWriter> {
    return this.run(async () => {
      const abs = this.paths.sys(path);
      await mkdir(dirname(abs), { recursive: true });
      return openSysWriter(abs, (op) => this.run(op), sizeHint);
    });
  }

  writeSysFile(path: string, data: Uint8Array): Promise<void> {
    return this.run(() => this.atomicWrite(this.paths.sys(path), data));
  }

  readSysFile(path: string): Promise<Uint8Array> {
    return this.run(async () => new Uint8Array(await readFile(this.paths.sys(path))));
  }

  readSysFileRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.run(async () => {
      const abs = this.paths.sys(path);
      return this.exactly(await readAt(abs, offset, length), length, abs);
    });
  }

  listSysDir(path: string): Promise<string[]> {
    return this.run(async () => (await readdir(this.paths.sys(path))).sort());
  }

  deleteSys(path: string): Promise<void> {
    return this.run(() => rm(this.paths.sys(path), { recursive: true }));
  }

  cleanupTmp(scope: TmpScope = "all"): Promise<void> {
    return this.run(() => cleanTmpArea(this.sys, scope), { unbounded: true });
  }

  /** Health probe: the root and tmp can be prepared and a small file round-trips through tmp. */
  private async probe(): Promise<void> {
    // A vanished root is not recreated here: an unmounted disk must not be refilled on `/`.
    if (!(await stat(this.root)).isDirectory()) throw new Error("drive root is not a directory");
    await this.prepare();
    await tmpRoundTrip(this.sys);
  }
}
