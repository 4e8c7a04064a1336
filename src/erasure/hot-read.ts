/**
 * The last read of a key, hung on the meta cache's frozen decodes. The cache hands out the very
 * same XlMeta object for a drive's xl.meta until that file's bytes change, so when every drive's
 * decode is the one an earlier read saw, that read's vote, its ObjectInfo and the verified bytes
 * of an inline object stand as they were: a hot small object skips the vote, the info, the bitrot
 * hashes and the copy. Held weakly: an entry goes when the cache drops the decode it hangs on.
 */
import type { ObjectInfo } from "../object/index";
import type { XlMeta } from "../xlmeta/index";
import type { MetaResults, Resolved, VersionSelector } from "./meta-read";

export interface HotRead {
  resolved: Resolved;
  /** Frozen: shared by every request that hits. */
  info: Readonly<ObjectInfo>;
  /** The whole object, verified on every drive read, when stored inline (filled by the first GET). */
  whole: Uint8Array | null;
}

interface Entry extends HotRead {
  metas: readonly XlMeta[];
  sel: VersionSelector;
}

const entries = new WeakMap<XlMeta, Entry>();

/** The earlier read of exactly these decodes, if there was one. */
export function hotRead(metas: MetaResults, sel: VersionSelector): HotRead | undefined {
  const first = metas[0];
  if (!first?.ok) return undefined;
  const e = entries.get(first.value);
  if (!e || e.sel !== sel || e.metas.length !== metas.length) return undefined;
  for (let i = 1; i < metas.length; i++) {
    const m = metas[i]!;
    if (!m.ok || m.value !== e.metas[i]) return undefined;
  }
  return e;
}

/**
 * Keeps `read` for the next request that sees the same decodes. Only a read every drive agreed
 * on is kept: one that needs a heal must be seen (and scheduled) again until it is healed.
 */
export function rememberRead(metas: MetaResults, sel: VersionSelector, read: HotRead): HotRead {
  if (read.resolved.needsHeal || metas.length === 0) return read;
  const values: XlMeta[] = [];
  for (const m of metas) {
    if (!m.ok) return read;
    values.push(m.value);
  }
  const entry: Entry = { ...read, metas: values, sel };
  entries.set(values[0]!, entry);
  return entry;
}
