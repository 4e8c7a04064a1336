/**
 * A fault-injecting Drive decorator for tests (as MinIO's naughty disk): wraps a real drive
 * and, by rules, makes chosen calls fail with a chosen DriveError kind or return corrupted
 * bytes. Everything else passes through, so tests keep real storage underneath.
 */
import {
  DriveError,
  type CommitSource,
  type DataFileReader,
  type DataFileRef,
  type DiskInfo,
  type Drive,
  type DriveErrorKind,
  type TmpScope,
  type FileWriter,
  type FormatInfo,
  type VolumeInfo,
  type WalkEntry,
  type WalkOptions,
} from "./drive";

export type DriveMethod = Exclude<keyof Drive, "endpoint" | "isOnline">;
/** Drive methods plus the calls of writers returned by createSysWriter. */
export type FaultPoint = DriveMethod | "writer.write" | "writer.close";

export interface FaultRule {
  /** Calls affected; every call when absent. */
  at?: FaultPoint[];
  /** Only calls whose arguments match (e.g. one volume or key). */
  match?: (args: readonly unknown[]) => boolean;
  /** The error thrown, or "corrupt": reads (readMeta, readFile, readSys*) return flipped bytes. */
  effect: DriveErrorKind | "corrupt";
  /** Matching calls that pass before the rule fires. */
  skip?: number;
  /** How many times the rule fires; forever when absent. */
  times?: number;
}

interface ActiveRule extends FaultRule {
  seen: number;
  fired: number;
}

function flip(data: Uint8Array): Uint8Array {
  const out = data.slice();
  if (out.length > 0) out[out.length >> 1]! ^= 0xff;
  return out;
}

export class FaultyDrive implements Drive {
  private rules: ActiveRule[] = [];
  /** Calls seen per fault point, for assertions such as "no read reached the drive". */
  readonly calls = new Map<FaultPoint, number>();
  /** While true the drive reports offline and every call fails with DriveOffline. */
  offline = false;

  constructor(readonly inner: Drive) {}

  get endpoint(): string {
    return this.inner.endpoint;
  }

  isOnline(): boolean {
    return !this.offline && this.inner.isOnline();
  }

  /** Adds a rule; returns a function that removes it. */
  inject(rule: FaultRule): () => void {
    const active: ActiveRule = { ...rule, seen: 0, fired: 0 };
    this.rules.push(active);
    return () => {
      this.rules = this.rules.filter((r) => r !== active);
    };
  }

  clear(): void {
    this.rules = [];
    this.offline = false;
  }

  /** Throws the injected error, or says whether the result should be corrupted. */
  private check(point: FaultPoint, args: readonly unknown[]): boolean {
    this.calls.set(point, (this.calls.get(point) ?? 0) + 1);
    if (this.offline) throw new DriveError("DriveOffline", this.endpoint, "injected: offline");
    let corrupt = false;
    for (const r of this.rules) {
      if ((r.at && !r.at.includes(point)) || (r.match && !r.match(args))) continue;
      if (r.seen++ < (r.skip ?? 0) || (r.times !== undefined && r.fired >= r.times)) continue;
      r.fired++;
      if (r.effect === "corrupt") corrupt = true;
      else throw new DriveError(r.effect, this.endpoint, `injected at ${point}`);
    }
    return corrupt;
  }

  private async call<T>(point: FaultPoint, args: readonly unknown[], op: () => Promise<T>): Promise<T> {
    const corrupt = this.check(point, args);
    const result = await op();
    return corrupt && result instanceof Uint8Array ? (flip(result) as T) : result;
  }

  diskInfo(): Promise<DiskInfo> {
    return this.call("diskInfo", [], () => this.inner.diskInfo());
  }
  readFormat(): Promise<FormatInfo | null> {
    return this.call("readFormat", [], () => this.inner.readFormat());
  }
  writeFormat(format: FormatInfo): Promise<void> {
    return this.call("writeFormat", [format], () => this.inner.writeFormat(format));
  }
  makeVolume(volume: string): Promise<void> {
    return this.call("makeVolume", [volume], () => this.inner.makeVolume(volume));
  }
  listVolumes(): Promise<VolumeInfo[]> {
    return this.call("listVolumes", [], () => this.inner.listVolumes());
  }
  statVolume(volume: string): Promise<VolumeInfo> {
    return this.call("statVolume", [volume], () => this.inner.statVolume(volume));
  }
  deleteVolume(volume: string, opts?: { force?: boolean }): Promise<void> {
    return this.call("deleteVolume", [volume, opts], () => this.inner.deleteVolume(volume, opts));
  }
  readMeta(volume: string, key: string): Promise<Uint8Array> {
    return this.call("readMeta", [volume, key], () => this.inner.readMeta(volume, key));
  }
  writeMeta(volume: string, key: string, meta: Uint8Array): Promise<void> {
    return this.call("writeMeta", [volume, key, meta], () => this.inner.writeMeta(volume, key, meta));
  }
  commit(volume: string, key: string, meta: Uint8Array, source: CommitSource | null): Promise<void> {
    return this.call("commit", [volume, key, meta, source], () => this.inner.commit(volume, key, meta, source));
  }
  restoreStaged(volume: string, key: string, source: CommitSource): Promise<void> {
    return this.call("restoreStaged", [volume, key, source], () => this.inner.restoreStaged(volume, key, source));
  }
  deleteDataDir(volume: string, key: string, dataDir: string): Promise<void> {
    return this.call("deleteDataDir", [volume, key, dataDir], () => this.inner.deleteDataDir(volume, key, dataDir));
  }
  listDataDirs(volume: string, key: string): Promise<string[]> {
    return this.call("listDataDirs", [volume, key], () => this.inner.listDataDirs(volume, key));
  }
  deleteObject(volume: string, key: string): Promise<void> {
    return this.call("deleteObject", [volume, key], () => this.inner.deleteObject(volume, key));
  }
  readFile(volume: string, key: string, dataDir: string, file: string, offset: number, length: number): Promise<Uint8Array> {
    const args = [volume, key, dataDir, file, offset, length] as const;
    return this.call("readFile", args, () => this.inner.readFile(...args));
  }
  /**
   * Each read of the opened file is faulted as "readFile" with readFile's arguments (the same
   * read); "corrupt" flips `into`.
   */
  async openFile(ref: DataFileRef): Promise<DataFileReader> {
    const inner = await this.inner.openFile(ref);
    return {
      readInto: async (offset, into) => {
        const corrupt = this.check("readFile", [ref.volume, ref.key, ref.dataDir, ref.file, offset, into.length]);
        await inner.readInto(offset, into);
        if (corrupt && into.length > 0) into[into.length >> 1]! ^= 0xff;
      },
      close: () => inner.close(),
    };
  }

  async *walk(volume: string, opts?: WalkOptions): AsyncGenerator<WalkEntry> {
    this.check("walk", [volume, opts]);
    yield* this.inner.walk(volume, opts);
  }

  /** Never: a walk of several drives would read this one's files around its rules. */
  async walkRoot(): Promise<null> {
    return null;
  }

  /** Counted and faulted as "walk": the same operation, delivered in batches. */
  async *walkBatches(volume: string, opts?: WalkOptions): AsyncGenerator<WalkEntry[]> {
    this.check("walk", [volume, opts]);
    yield* this.inner.walkBatches(volume, opts);
  }

  createSysWriter(path: string, sizeHint?: number): Promise<FileWriter> {
    return this.call("createSysWriter", [path], async () => {
      const w = await this.inner.createSysWriter(path, sizeHint);
      return {
        write: (chunk: Uint8Array) => this.call("writer.write", [path, chunk], () => w.write(chunk)),
        close: () => this.call("writer.close", [path], () => w.close()),
        abort: () => w.abort(),
      };
    });
  }
  writeSysFile(path: string, data: Uint8Array): Promise<void> {
    return this.call("writeSysFile", [path, data], () => this.inner.writeSysFile(path, data));
  }
  readSysFile(path: string): Promise<Uint8Array> {
    return this.call("readSysFile", [path], () => this.inner.readSysFile(path));
  }
  readSysFileRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.call("readSysFileRange", [path, offset, length], () => this.inner.readSysFileRange(path, offset, length));
  }
  listSysDir(path: string): Promise<string[]> {
    return this.call("listSysDir", [path], () => this.inner.listSysDir(path));
  }
  deleteSys(path: string): Promise<void> {
    return this.call("deleteSys", [path], () => this.inner.deleteSys(path));
  }
  cleanupTmp(scope?: TmpScope): Promise<void> {
    return this.call("cleanupTmp", [scope], () => this.inner.cleanupTmp(scope));
  }
}
