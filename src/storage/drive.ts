/**
 * The Drive contract: one directory on one disk (later: a remote drive over RPC). The erasure
 * layer talks to drives only through this interface. Object keys are given as S3 keys; the
 * drive maps them to safe paths. System files (tmp, multipart, bucket config) live under
 * `.cairn.sys/` and are addressed by a `SysPath` relative to it ("tmp/<uuid>/…").
 */

/** Which part of a drive's scratch area a cleanup empties: all of it, or this process's share (tmp-area.ts). */
export type TmpScope = "all" | "own";

export type DriveErrorKind =
  | "FileNotFound"
  | "VolumeNotFound"
  | "VolumeExists"
  | "VolumeNotEmpty"
  | "InvalidPath"
  | "FileCorrupt"
  | "DriveOffline"
  | "DiskFull"
  | "Faulty"; // any other I/O error (EIO, EACCES, …)

export class DriveError extends Error {
  constructor(
    readonly kind: DriveErrorKind,
    readonly drive: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${kind} on ${drive}: ${detail}`, options);
    this.name = "DriveError";
  }
}

export const SYSTEM_DIR = ".cairn.sys";

/** Identity and layout, one per drive at `.cairn.sys/format.json`. */
export interface FormatInfo {
  version: 1;
  deploymentId: string;
  /** This drive's id (uuid). */
  driveId: string;
  /** sets[i][j] = drive id at set i, position j. */
  sets: string[][];
  /** Parity per set chosen at format time (default storage class). */
  parity: number;
}

export interface DiskInfo {
  total: number;
  free: number;
  inodesTotal: number;
  inodesFree: number;
}

export interface VolumeInfo {
  name: string;
  created: Date;
}

/** A streamed file being written under `.cairn.sys/`; nothing is visible until committed. */
export interface FileWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Flush and fsync, then close. */
  close(): Promise<void>;
  /** Close and remove what was written. */
  abort(): Promise<void>;
}

export interface WalkEntry {
  key: string;
  /** Raw xl.meta bytes. */
  meta: Uint8Array;
}

/** A key of a walk over several drives at once: each drive's raw xl.meta, null where it lacks one. */
export interface SetWalkEntry {
  key: string;
  metas: (Uint8Array | null)[];
}

/** A drive's volume as a walk over several drives reads it: its directory and its I/O guard. */
export interface WalkRoot {
  abs: string;
  guard: <T>(op: () => Promise<T>) => Promise<T>;
}

export interface WalkOptions {
  prefix?: string;
  /** Exclusive: only keys > marker. */
  marker?: string;
  /** About how many keys the caller will take: a hint that bounds how far ahead the walk reads. */
  expect?: number;
}

export interface CommitSource {
  /** Staging directory under `.cairn.sys/`, e.g. `tmp` (a PUT: `tmp/<dataDir>/`), `tmp/<uuid>` (heal) or `multipart/<hash>/<uploadId>`. */
  staging: string;
  /** Sub-directory of `staging` holding the data files; moved to `<vol>/<key>/<dataDir>`. */
  dataDir: string;
  /** Only these files of the data dir are kept (multipart: the completed parts); all when absent. */
  files?: string[];
}

/** One file of an object's data dir: `<volume>/<key>/<dataDir>/<file>`. */
export interface DataFileRef {
  volume: string;
  key: string;
  dataDir: string;
  file: string;
}

/** A data file opened by `Drive.openFile`. */
export interface DataFileReader {
  /** Exactly `into.length` bytes at `offset` into `into` (a short file is FileCorrupt). */
  readInto(offset: number, into: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface Drive {
  readonly endpoint: string;
  /** False while the drive is considered offline after repeated I/O faults (retried later). */
  isOnline(): boolean;
  diskInfo(): Promise<DiskInfo>;

  readFormat(): Promise<FormatInfo | null>;
  writeFormat(format: FormatInfo): Promise<void>;

  makeVolume(volume: string): Promise<void>;
  listVolumes(): Promise<VolumeInfo[]>;
  statVolume(volume: string): Promise<VolumeInfo>;
  deleteVolume(volume: string, opts?: { force?: boolean }): Promise<void>;

  /** xl.meta of a key; FileNotFound when absent. */
  readMeta(volume: string, key: string): Promise<Uint8Array>;
  /** Atomically replaces xl.meta (temp → fsync → rename → fsync dir). */
  writeMeta(volume: string, key: string, meta: Uint8Array): Promise<void>;
  /**
   * Moves a staged data dir into `<volume>/<key>/<dataDir>` and atomically writes xl.meta.
   * The staging directory stays: it is the caller's to remove (heal commits several data dirs
   * staged in one; a multipart upload keeps its parts until the completion reached quorum).
   * `source` null: metadata-only commit (inline data, delete marker). After success both
   * are visible; after a crash at most the old state is.
   */
  commit(volume: string, key: string, meta: Uint8Array, source: CommitSource | null): Promise<void>;
  /**
   * A metadata-only commit for a key with no xl.meta on this drive: creates it only if absent
   * and answers false, changing nothing, when one exists or the drive cannot create this one in
   * place (the caller then reads and commits). Optional: drives without it always commit.
   */
  createMeta?(volume: string, key: string, meta: Uint8Array): Promise<boolean>;
  /**
   * Undoes a `files` commit's move: the files go back from `<volume>/<key>/<dataDir>` into
   * the staging directory (a multipart completion that missed quorum keeps its parts).
   */
  restoreStaged(volume: string, key: string, source: CommitSource): Promise<void>;
  /** Removes one data dir of a key (an old version's shards). */
  deleteDataDir(volume: string, key: string, dataDir: string): Promise<void>;
  /** The data dirs in a key's directory, referenced by its xl.meta or not (none when it has no directory). */
  listDataDirs(volume: string, key: string): Promise<string[]>;
  /** Removes xl.meta and every data dir of the key, then empty parent directories. */
  deleteObject(volume: string, key: string): Promise<void>;

  /** Reads `length` bytes at `offset` of `<volume>/<key>/<dataDir>/<file>`. */
  readFile(volume: string, key: string, dataDir: string, file: string, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Opens `<volume>/<key>/<dataDir>/<file>` for a run of reads into the caller's buffers (a GET
   * stream's shard file): one open for the whole run. The caller closes it.
   */
  openFile(file: DataFileRef): Promise<DataFileReader>;

  /** Sorted walk of every object under a prefix (unit the erasure layer merges across drives). */
  walk(volume: string, opts?: WalkOptions): AsyncIterable<WalkEntry>;
  /** `walk` in batches (whatever has been read so far): one async step per batch, not per key. */
  walkBatches(volume: string, opts?: WalkOptions): AsyncIterable<WalkEntry[]>;
  /**
   * The volume's directory and I/O guard, for a walk of several drives at once
   * (`walkVolumesBatches`); null where the drive must be walked on its own (not a local directory,
   * or calls that must pass through this object, as fault injection's).
   */
  walkRoot(volume: string): Promise<WalkRoot | null>;

  // ---- the system area ----
  /** A new file for streamed writes; `sizeHint`: about how many bytes it will hold, if known. */
  createSysWriter(path: string, sizeHint?: number): Promise<FileWriter>;
  writeSysFile(path: string, data: Uint8Array): Promise<void>;
  readSysFile(path: string): Promise<Uint8Array>;
  readSysFileRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  listSysDir(path: string): Promise<string[]>;
  deleteSys(path: string): Promise<void>;

  /**
   * Removes leftovers of interrupted writes (`.cairn.sys/tmp`); called at start. "own": only
   * this process's share (tmp-area.ts), for one of several processes (default "all").
   */
  cleanupTmp(scope?: TmpScope): Promise<void>;
}
