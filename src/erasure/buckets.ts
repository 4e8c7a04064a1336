/**
 * Buckets are volumes on every drive of every set; bucket configuration blobs are small sys
 * files replicated to every drive (`.cairn.sys/buckets/<bucket>/<name>`), read by majority.
 * Each set must reach its own quorum, since every set stores objects of every bucket.
 */
import { validateBucketName } from "../lib/index";
import { ObjectError, type BucketInfo } from "../object/index";
import { DriveError } from "../storage/index";
import { fanOut, reducedError, type DriveResult } from "./quorum";
import type { ErasureSet } from "./set";

export function bucketConfigPath(bucket: string, name?: string): string {
  return name === undefined ? `buckets/${bucket}` : `buckets/${bucket}/${name}`;
}

/** Runs `fn` on every drive of every set; throws unless each set reaches its quorum. */
export async function perSet<T>(
  sets: readonly ErasureSet[],
  fn: (d: ErasureSet["drives"][number]) => Promise<T>,
  q: { mode: "read" | "write"; bucket: string },
): Promise<DriveResult<T>[][]> {
  const all = await Promise.all(sets.map((s) => fanOut(s.drives, (d) => fn(d))));
  all.forEach((results, i) => {
    const set = sets[i]!;
    const need = q.mode === "read" ? set.defaultReadQuorum : set.defaultWriteQuorum;
    if (results.filter((r) => r.ok).length < need) throw reducedError(results, need, { bucket: q.bucket }, q.mode);
  });
  return all;
}

export async function makeBucket(sets: readonly ErasureSet[], bucket: string): Promise<void> {
  if (validateBucketName(bucket) !== null) throw new ObjectError({ kind: "InvalidBucketName", bucket });
  try {
    await perSet(sets, (d) => d.makeVolume(bucket), { mode: "write", bucket });
  } catch (e) {
    if (!(e instanceof ObjectError && e.kind === "BucketExists")) {
      // Partial creation must not leave a bucket that exists on a minority of drives.
      await Promise.all(sets.flatMap((s) => s.drives.map((d) => d.deleteVolume(bucket).catch(() => undefined))));
    }
    throw e;
  }
}

export async function getBucketInfo(sets: readonly ErasureSet[], bucket: string): Promise<BucketInfo> {
  if (validateBucketName(bucket) !== null) throw new ObjectError({ kind: "BucketNotFound", bucket });
  const all = await perSet(sets, (d) => d.statVolume(bucket), { mode: "read", bucket });
  let created: Date | null = null;
  for (const r of all.flat()) if (r.ok && (!created || r.value.created < created)) created = r.value.created;
  return { name: bucket, created: created ?? new Date(0) };
}

export async function listBuckets(sets: readonly ErasureSet[]): Promise<BucketInfo[]> {
  const all = await perSet(sets, (d) => d.listVolumes(), { mode: "read", bucket: "" });
  const seen = new Map<string, { created: Date; perSet: number[] }>();
  all.forEach((results, si) => {
    for (const r of results) {
      if (!r.ok) continue;
      for (const v of r.value) {
        const e = seen.get(v.name) ?? { created: v.created, perSet: sets.map(() => 0) };
        e.perSet[si]!++;
        if (v.created < e.created) e.created = v.created;
        seen.set(v.name, e);
      }
    }
  });
  const out: BucketInfo[] = [];
  for (const [name, e] of seen) {
    if (e.perSet.every((n, si) => n >= sets[si]!.defaultReadQuorum)) out.push({ name, created: e.created });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Removes the bucket on every drive (the caller checked emptiness by quorum) and its config. */
export async function removeBucket(sets: readonly ErasureSet[], bucket: string): Promise<void> {
  await perSet(sets, (d) => d.deleteVolume(bucket, { force: true }), { mode: "write", bucket });
  await Promise.all(
    sets.flatMap((s) => s.drives.map((d) => d.deleteSys(bucketConfigPath(bucket)).catch(() => undefined))),
  );
}

export async function getBucketConfig(sets: readonly ErasureSet[], bucket: string, name: string): Promise<Uint8Array | null> {
  const path = bucketConfigPath(bucket, name);
  const all = await Promise.all(
    sets.map((s) =>
      fanOut(s.drives, async (d) => {
        try {
          return await d.readSysFile(path);
        } catch (e) {
          if (e instanceof DriveError && e.kind === "FileNotFound") return null;
          throw e;
        }
      }),
    ),
  );
  // The most common answer wins; "absent" is an answer too.
  const votes = new Map<string, { value: Uint8Array | null; n: number }>();
  for (const r of all.flat()) {
    if (!r.ok) continue;
    const k = r.value === null ? "absent" : Bun.hash.xxHash3(r.value).toString();
    const v = votes.get(k) ?? { value: r.value, n: 0 };
    v.n++;
    votes.set(k, v);
  }
  const best = [...votes.values()].sort((a, b) => b.n - a.n)[0];
  const need = Math.min(...sets.map((s) => s.defaultReadQuorum));
  if (!best || best.n < need) throw reducedError(all.flat(), need, { bucket }, "read");
  return best.value;
}

export async function setBucketConfig(
  sets: readonly ErasureSet[],
  bucket: string,
  name: string,
  data: Uint8Array | null,
): Promise<void> {
  const path = bucketConfigPath(bucket, name);
  await perSet(
    sets,
    async (d) => {
      if (data !== null) return d.writeSysFile(path, data);
      try {
        await d.deleteSys(path);
      } catch (e) {
        if (!(e instanceof DriveError && e.kind === "FileNotFound")) throw e;
      }
    },
    { mode: "write", bucket },
  );
}
