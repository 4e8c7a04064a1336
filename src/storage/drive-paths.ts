/**
 * Absolute paths of one drive, each checked on the way: names are validated and escaped
 * (paths.ts), and directories are resolved with realpath against the root so a planted
 * symlink cannot lead a read or a write outside it. Failures are DriveErrors.
 */
import { mkdir, realpath, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DriveError, SYSTEM_DIR } from "./drive";
import { errnoOf, isNotFound } from "./errno";
import { mkdirDurable } from "./fsutil";
import { isSafeName, isSafeVolume, keyToRelDir, sysRelPath } from "./paths";

/** Names checked on disk in the last second (a bounded map of when each check expires). */
class RecentChecks {
  private readonly until = new Map<string, number>();

  has(name: string): boolean {
    return (this.until.get(name) ?? 0) > performance.now();
  }

  /** `checkedAt`: when the check started (what it saw may have changed since). */
  add(name: string, checkedAt: number): void {
    if (this.until.size >= 8192) this.until.clear();
    this.until.set(name, checkedAt + 1000);
  }

  delete(name: string): void {
    this.until.delete(name);
  }
}

/**
 * keyToRelDir for recently used keys: every drive of a set, and every request for a hot key,
 * escapes the same key. Invalid keys are not remembered (they throw each time).
 */
const relDirs = new Map<string, string>();
const REL_DIRS_MAX = 8192;

function relDirOf(key: string): string {
  let rel = relDirs.get(key);
  if (rel === undefined) {
    rel = keyToRelDir(key);
    if (relDirs.size >= REL_DIRS_MAX) relDirs.clear();
    relDirs.set(key, rel);
  }
  return rel;
}

export class DrivePaths {
  readonly sysDir: string;
  /** The root with symlinks resolved (a drive may be mounted through one); set by resolveRoot. */
  private realRoot: string;
  /** Directories that passed assertInside recently. */
  private readonly verified = new RecentChecks();
  /** Volumes `missing` found in place recently. */
  private readonly volumesSeen = new RecentChecks();

  constructor(readonly root: string) {
    this.sysDir = join(root, SYSTEM_DIR);
    this.realRoot = root;
  }

  async resolveRoot(): Promise<void> {
    this.realRoot = await realpath(this.root);
  }

  invalid(detail: string): DriveError {
    return new DriveError("InvalidPath", this.root, detail);
  }

  volume(volume: string): string {
    if (!isSafeVolume(volume)) throw this.invalid(`bad volume name ${JSON.stringify(volume)}`);
    return join(this.root, volume);
  }

  object(volume: string, key: string): string {
    const vol = this.volume(volume);
    try {
      // Concatenation, not join: the escaped relative dir has no empty, "." or ".." segment to
      // normalize (paths.ts), and join's normalization was a tenth of a HEAD's main thread.
      return `${vol}/${relDirOf(key)}`;
    } catch (err) {
      throw new DriveError("InvalidPath", this.root, `bad key ${JSON.stringify(key)}`, { cause: err });
    }
  }

  sys(path: string): string {
    const rel = sysRelPath(path);
    if (rel === null) throw this.invalid(`bad system path ${JSON.stringify(path)}`);
    return join(this.sysDir, rel);
  }

  name(name: string): string {
    if (!isSafeName(name)) throw this.invalid(`bad name ${JSON.stringify(name)}`);
    return name;
  }

  /** What `abs` (a path under the root) resolves to when no symlink below the root redirects it. */
  realOf(abs: string): string {
    return this.realRoot + abs.slice(this.root.length);
  }

  /** Throws InvalidPath when `abs` (an existing path under the root) resolves elsewhere. */
  async assertInside(abs: string): Promise<void> {
    const real = await realpath(abs);
    if (real !== this.realOf(abs)) throw this.invalid(`${abs} leaves the drive root`);
  }

  /**
   * assertInside for reads, remembering a passed directory for a second: the realpath (two
   * syscalls) on each of the drives was a sixth of a small GET's cost. A symlink planted inside
   * the drive after a check is followed by reads for at most that second; writes still check
   * every time (they also rely on the check to see whether the directory exists).
   */
  async assertInsideForRead(abs: string): Promise<void> {
    if (this.verified.has(abs)) return;
    const checkedAt = performance.now();
    await this.assertInside(abs);
    this.verified.add(abs, checkedAt);
  }

  /**
   * mkdir -p that refuses to create anything through a symlink leading out of the root: the
   * deepest existing ancestor is checked before any directory is made below it.
   */
  async makeDirInside(dir: string): Promise<string[]> {
    for (let d = dir; d.length >= this.root.length; d = dirname(d)) {
      try {
        await this.assertInside(d);
        return d === dir ? [] : await mkdirDurable(dir);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    throw new DriveError("Faulty", this.root, "drive root is missing");
  }

  /**
   * makeDirInside for a key dir that is usually new under an existing parent (a PUT of a new
   * key under a used prefix): checks the parent, then makes the one dir. That saves the failed
   * realpath of the missing dir itself; anything else takes the full walk.
   */
  async makeKeyDir(dir: string): Promise<string[]> {
    const parent = dirname(dir);
    try {
      await this.assertInside(parent);
      await mkdir(dir);
      return [dir, parent];
    } catch (err) {
      // EEXIST: the dir is there (it may be a symlink): the walk checks it. ENOENT: a parent is missing.
      if (errnoOf(err) === "EEXIST" || isNotFound(err)) return this.makeDirInside(dir);
      throw err;
    }
  }

  /**
   * Why a path under a volume is missing: the file, or the volume, or the whole drive root. A
   * volume seen in the last second is taken to be there still (a PUT of a new key asks this of
   * every drive first; volumes this drive deletes are forgotten at once, see forgetVolume).
   */
  async missing(volume: string, err: unknown): Promise<DriveError> {
    if (this.volumesSeen.has(volume)) return new DriveError("FileNotFound", this.root, volume, { cause: err });
    const checkedAt = performance.now();
    const vol = await stat(join(this.root, volume)).catch(() => null);
    if (vol?.isDirectory()) {
      this.volumesSeen.add(volume, checkedAt);
      return new DriveError("FileNotFound", this.root, volume, { cause: err });
    }
    const root = await stat(this.root).catch(() => null);
    if (root === null) return new DriveError("Faulty", this.root, "drive root is missing", { cause: err });
    return new DriveError("VolumeNotFound", this.root, volume, { cause: err });
  }

  /** A volume this drive is deleting: `missing` must look again. */
  forgetVolume(volume: string): void {
    this.volumesSeen.delete(volume);
  }

  async requireVolume(volume: string): Promise<string> {
    const dir = this.volume(volume);
    const st = await stat(dir).catch(async (err) => {
      throw await this.missing(volume, err);
    });
    if (!st.isDirectory()) throw new DriveError("VolumeNotFound", this.root, volume);
    return dir;
  }
}
