/**
 * Data dirs a drive holds for a key that its own xl.meta does not name: the shards of a write
 * that crashed after moving its data dir into place and before writing xl.meta, or of an old
 * version whose removal failed. Nothing reads them, and without this they would hold their
 * space for ever. Heal calls this under the key's write lock, when no commit of the key is in
 * flight, so every such dir is garbage.
 */
import { readMetas } from "./meta-read";
import type { ErasureSet, Loc } from "./set";

/** Removes the unnamed data dirs of `loc` on every drive whose xl.meta reads; returns how many. */
export async function removeOrphanDataDirs(set: ErasureSet, loc: Loc): Promise<number> {
  const metas = await readMetas(set, loc);
  const counts = await Promise.all(
    set.drives.map(async (drive, i) => {
      const meta = metas[i];
      // A drive whose xl.meta is missing or unreadable is heal's to rebuild, not to sweep.
      if (!meta?.ok) return 0;
      const named = new Set(meta.value.versions.map((v) => (v.type === "object" ? v.dataDir : null)));
      const dirs = await drive.listDataDirs(loc.bucket, loc.key).catch(() => [] as string[]);
      const orphans = dirs.filter((d) => !named.has(d));
      await Promise.all(orphans.map((d) => drive.deleteDataDir(loc.bucket, loc.key, d).catch(() => undefined)));
      return orphans.length;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
