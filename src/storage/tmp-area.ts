/**
 * A drive's scratch area, `.cairn.sys/tmp`: files are written there before a rename makes them
 * appear, a deleted volume waits there for its removal, and the health probe round-trips a file
 * through it. Nothing in it is anyone's after a restart, so a server that starts alone on the
 * drives empties it (cleanTmpArea).
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isNotFound } from "./errno";
import { renameDurable, writeFileSynced } from "./fsutil";

/** The scratch directory of the system area `sys`. */
export function tmpDir(sys: string): string {
  return join(sys, "tmp");
}

/** A fresh path in the scratch directory. */
export function tmpName(sys: string, prefix = ""): string {
  return join(tmpDir(sys), prefix + randomUUID());
}

/**
 * temp file → fsync → rename → fsync dirs. `makeDir` creates the target's missing parents
 * (the drive's own rule: never a volume).
 */
export async function atomicWrite(sys: string, target: string, data: Uint8Array, makeDir: (dir: string) => Promise<string[]>): Promise<void> {
  const tmp = tmpName(sys);
  try {
    await writeFileSynced(tmp, data).catch(async (err) => {
      if (!isNotFound(err)) throw err;
      await mkdir(dirname(tmp), { recursive: true }); // someone removed tmp; recreate once
      await writeFileSynced(tmp, data);
    });
    await renameDurable(tmp, target, makeDir);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Empties the scratch directory (making it if missing). */
export async function cleanTmpArea(sys: string): Promise<void> {
  const tmp = tmpDir(sys);
  await mkdir(tmp, { recursive: true });
  const names = await readdir(tmp);
  await Promise.all(names.map((n) => rm(join(tmp, n), { recursive: true, force: true })));
}

/** A small file written with fsync, read back and removed: the drive's whole write path works. */
export async function tmpRoundTrip(sys: string): Promise<void> {
  const path = tmpName(sys, "probe-");
  const data = new TextEncoder().encode("cairn probe");
  await writeFileSynced(path, data);
  const back = await readFile(path);
  await unlink(path);
  if (!Buffer.from(data).equals(back)) throw new Error("probe read back different bytes");
}
