/**
 * Bucket-wide and deployment-wide healing: recreate the bucket (and its config blobs) on drives
 * that lack it — a replaced, empty drive — then heal every key found on any drive.
 */
import { ObjectError, type DriveHealState, type HealOptions, type HealResult } from "../object/index";
import { DriveError, type Drive } from "../storage/index";
import { bucketConfigPath, listBuckets } from "./buckets";
import { healObject } from "./heal";
import { listSysDirQuiet } from "./multipart-store";
import type { ErasureSet } from "./set";
import { mergedWalk } from "./walk-merge";

export { healObject };

async function volumeState(d: Drive, bucket: string): Promise<DriveHealState> {
  try {
    await d.statVolume(bucket);
    return "ok";
  } catch (e) {
    return e instanceof DriveError && e.kind === "VolumeNotFound" ? "missing" : "offline";
  }
}

/** Copies bucket config blobs to drives that lack them, from the first drive that has them. */
async function healConfigs(drives: Drive[], bucket: string): Promise<void> {
  const dir = bucketConfigPath(bucket);
  const listed = await Promise.all(drives.map((d) => listSysDirQuiet(d, dir).catch(() => null)));
  const names = new Set(listed.flatMap((l) => l ?? []));
  for (const name of names) {
    const from = listed.findIndex((l) => l?.includes(name));
    const data = await drives[from]!.readSysFile(bucketConfigPath(bucket, name)).catch(() => null);
    if (!data) continue;
    await Promise.all(
      drives.map(async (d, i) => {
        if (listed[i] && !listed[i]!.includes(name)) await d.writeSysFile(bucketConfigPath(bucket, name), data).catch(() => undefined);
      }),
    );
  }
}

export async function healBucket(sets: readonly ErasureSet[], bucket: string, opts: HealOptions = {}): Promise<HealResult> {
  const drives = sets.flatMap((s) => s.drives);
  const before = await Promise.all(drives.map((d) => volumeState(d, bucket)));
  if (before.every((s) => s !== "ok")) throw new ObjectError({ kind: "BucketNotFound", bucket });
  const after = [...before];
  if (!opts.dryRun) {
    await Promise.all(
      drives.map(async (d, i) => {
        if (before[i] !== "missing") return;
        await d.makeVolume(bucket).then(
          () => (after[i] = "healed"),
          () => undefined,
        );
      }),
    );
    await healConfigs(drives, bucket);
  }
  let healed = 0;
  for await (const e of mergedWalk(sets, bucket, {})) {
    try {
      const r = await healObject(e.set, { bucket, key: e.key }, opts);
      healed += r.objectsHealed;
    } catch {
      // An object that cannot be healed now (quorum lost) does not stop the pass.
    }
  }
  return {
    bucket,
    drives: drives.map((d, i) => ({ drive: d.endpoint, before: before[i]!, after: after[i]! })),
    objectsHealed: healed,
  };
}

export async function healAll(sets: readonly ErasureSet[], opts: HealOptions = {}): Promise<HealResult[]> {
  const out: HealResult[] = [];
  for (const b of await listBuckets(sets)) out.push(await healBucket(sets, b.name, opts));
  return out;
}
