/**
 * A drive's scratch area, `.cairn.sys/tmp`: files are written there before a rename makes them
 * appear, PUTs and heals stage their shards there, a deleted volume waits there for its removal,
 * and the health probe round-trips a file through it. Nothing in it is anyone's after a restart,
 * so a server that starts alone on the drives empties it (cleanTmpArea "all").
 *
 * One of several server processes (server/cluster.ts) works in a share of its own, `tmp/w<i>`:
 * a worker restarted after a crash empties its share ("own") while the others keep writing in
 * theirs.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { TmpScope } from "./drive";
import { isNotFound } from "./errno";
import { renameDurable, writeFileSynced } from "./fsutil";

/** The scratch area's directory in the system area. */
const TMP = "tmp";

/** This process's share of the scratch area ("": all of it, a lone server). */
let owner = "";

/** Names this process's share, `tmp/<tag>` (worker i of several: `w<i>`); before any drive opens. */
export function setTmpOwner(tag: string): void {
  if (!/^[a-z0-9]*$/.test(tag)) throw new Error(`scratch area owner '${tag}': lower-case letters and digits only`);
  owner = tag;
}

/** The sys path this process writes its scratch files in: `tmp`, or `tmp/<tag>`. */
export function ownTmp(): string {
  return owner === "" ? TMP : `${TMP}/${owner}`;
}

/** This process's scratch directory in the system area `sys`. */
export function tmpDir(sys: string): string {
  return join(sys, ownTmp());
}

/** A fresh path in this process's scratch directory. */
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

/** Empties the whole scratch area or this process's share of it; this process's directory is there after. */
export async function cleanTmpArea(sys: string, scope: TmpScope): Promise<void> {
  const dir = scope === "all" ? join(sys, TMP) : tmpDir(sys);
  await mkdir(dir, { recursive: true });
  const names = await readdir(dir);
  await Promise.all(names.map((n) => rm(join(dir, n), { recursive: true, force: true })));
  await mkdir(tmpDir(sys), { recursive: true });
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
