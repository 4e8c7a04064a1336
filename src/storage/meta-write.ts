/**
 * How a commit writes xl.meta. When the key has no xl.meta on this drive and the new one fits in
 * one page, it is created in place: exclusive create + write + fsync, then fsync of the key dir
 * and of every dir created for it. That is one journal commit on the write path instead of two
 * (temp fsync, then rename + dir fsync), and no rename through the drive's shared tmp dir.
 * Anything else goes temp → fsync → rename (LocalDrive.atomicWrite), which never shows a partial
 * file.
 *
 * Why in place keeps the promise:
 * - Acknowledged: it returns only after the file, its entry and every new dir's entry were
 *   fsynced, the same set temp + rename makes durable.
 * - Nothing to lose: it is only taken where no xl.meta exists (O_EXCL), so no previous version
 *   can be damaged; an existing one (even a crash's empty leftover) is replaced by rename.
 * - Crash before the fsyncs end: a write of at most one page is all-or-nothing. A killed process
 *   cannot split it (the kernel copies page by page and checks for a fatal signal only between
 *   pages), and after a power loss ext4 (data=ordered, delayed allocation) shows the file's size
 *   only together with its written block. So the file is absent, empty (created, not yet
 *   written) or complete. LocalDrive's readMeta and walk treat an empty xl.meta as absent; a
 *   complete one on fewer drives than quorum is what a crash mid temp + rename leaves too. (A
 *   filesystem that can show a size without the data, e.g. ext4 data=writeback, would show a
 *   corrupt xl.meta instead: a drive fault that quorum outvotes, not a wrong answer. ext4
 *   without a journal is such a filesystem.)
 * - With group sync (fs-sync.ts) the file gets no fsync of its own: one syncfs that starts
 *   after the write covers the file, its entry and the new dirs' entries. A crash before it
 *   ends leaves the same three states as above.
 * - A failed write removes the file again (createFileSynced); only a crash leaves it behind.
 * - GET and HEAD never see the file mid-write (they hold the key's read lock, the commit its
 *   write lock); a listing that reads it mid-write sees an empty file, i.e. not there yet.
 */
import { dirname } from "node:path";
import { DriveError } from "./drive";
import { errnoOf, isNotFound } from "./errno";
import type { DrivePaths } from "./drive-paths";
import { createFileDurable, createInNewDir } from "./fsutil";
import { META_FILE } from "./paths";

/** One page: the unit a write is all-or-nothing in (Linux pages are 4 KiB or larger). */
export const IN_PLACE_MAX = 4096;

export interface MetaWriteDeps {
  /** mkdir -p inside the drive; returns the dirs whose entries changed (mkdirDurable). */
  makeDir: (dir: string) => Promise<string[]>;
  /** The temp + fsync + rename write, for every case in place does not cover. */
  replace: (path: string, data: Uint8Array) => Promise<void>;
}

export async function writeMetaFile(path: string, meta: Uint8Array, deps: MetaWriteDeps): Promise<void> {
  if (!(await createMetaFile(path, meta, deps.makeDir))) await deps.replace(path, meta);
}

/**
 * The in-place create alone: false, with nothing changed, when an xl.meta exists (even an empty
 * one) or `meta` is larger than a page.
 */
export async function createMetaFile(path: string, meta: Uint8Array, makeDir: MetaWriteDeps["makeDir"]): Promise<boolean> {
  if (meta.length > IN_PLACE_MAX) return false;
  const dir = dirname(path);
  for (let attempt = 0; ; attempt++) {
    const created = await makeDir(dir);
    try {
      await createFileDurable(path, meta, [dir, ...created]);
      return true;
    } catch (err) {
      if (errnoOf(err) === "EEXIST") return false;
      if (isNotFound(err) && attempt < 3) continue; // a concurrent prune removed the new dir
      throw err;
    }
  }
}

/** Drive.createMeta of a local drive (meta at most IN_PLACE_MAX bytes). */
export async function createKeyMeta(paths: DrivePaths, volume: string, key: string, meta: Uint8Array): Promise<boolean> {
  const dir = paths.object(volume, key);
  const path = `${dir}/${META_FILE}`;
  const parent = dirname(dir);
  // A new key under an existing dir (so the volume exists) takes one worker job; else the checks.
  if (await createInNewDir(path, meta, parent, paths.realOf(parent))) return true;
  await paths.requireVolume(volume);
  return createMetaFile(path, meta, (d) => paths.makeKeyDir(d));
}

/** An xl.meta as read; an empty one is a crashed in-place create and reads as absent. */
export function nonEmptyMeta<T extends Uint8Array>(meta: T, endpoint: string): T {
  if (meta.length === 0) throw new DriveError("FileNotFound", endpoint, "empty xl.meta (an interrupted create)");
  return meta;
}
