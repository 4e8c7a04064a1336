/**
 * A lazy, sorted walk of a bucket across drives: each online drive of each set walks its own
 * namespace (`drive.walk`), and the cursors are merged by key (S3 order, `compareKeys`). For
 * each key the caller gets that set's per-drive xl.meta, decoded (null where absent/corrupt),
 * and decides by quorum what the key is. Memory: one pending entry per drive.
 */
import { compareKeys } from "../lib/index";
import type { WalkEntry } from "../storage/index";
import type { XlMeta } from "../xlmeta/index";
import { decodeOrCorrupt } from "./meta-read";
import type { ErasureSet } from "./set";

export interface MergedEntry {
  key: string;
  set: ErasureSet;
  /** Per drive position of `set`: its decoded xl.meta, or null. */
  metas: (XlMeta | null)[];
}

interface Cursor {
  set: number;
  pos: number;
  it: AsyncIterator<WalkEntry>;
  head: WalkEntry | null;
}

async function advance(c: Cursor): Promise<void> {
  try {
    const r = await c.it.next();
    c.head = r.done ? null : r.value;
  } catch {
    // A drive failing mid-walk drops out of this listing; the others still answer.
    c.head = null;
  }
}

function decodeQuiet(bytes: Uint8Array, endpoint: string): XlMeta | null {
  try {
    return decodeOrCorrupt(bytes, endpoint);
  } catch {
    return null;
  }
}

export async function* mergedWalk(
  sets: readonly ErasureSet[],
  bucket: string,
  opts: { prefix?: string; marker?: string },
): AsyncGenerator<MergedEntry> {
  const walkOpts = {
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    ...(opts.marker !== undefined ? { marker: opts.marker } : {}),
  };
  const cursors: Cursor[] = [];
  sets.forEach((s, si) =>
    s.drives.forEach((d, pos) => {
      cursors.push({ set: si, pos, it: d.walk(bucket, walkOpts)[Symbol.asyncIterator](), head: null });
    }),
  );
  try {
    await Promise.all(cursors.map(advance));
    for (;;) {
      let min: string | null = null;
      for (const c of cursors) if (c.head && (min === null || compareKeys(c.head.key, min) < 0)) min = c.head.key;
      if (min === null) return;
      const at = cursors.filter((c) => c.head?.key === min);
      // Keys never live in two sets, but a misplaced copy must not be merged into another set.
      for (const si of new Set(at.map((c) => c.set))) {
        const set = sets[si]!;
        const metas: (XlMeta | null)[] = set.drives.map(() => null);
        for (const c of at) if (c.set === si) metas[c.pos] = decodeQuiet(c.head!.meta, set.drives[c.pos]!.endpoint);
        yield { key: min, set, metas };
      }
      await Promise.all(at.map(advance));
    }
  } finally {
    await Promise.all(cursors.map((c) => c.it.return?.().catch(() => undefined)));
  }
}

/** Above every code point: `p + MAX_CHAR` sorts after every key that starts with `p`. */
const MAX_CHAR = "\u{10FFFF}";

/**
 * A merged walk that can jump past every key under a common prefix by restarting the drive
 * walks after it, so a delimiter listing need not read each key of a big "folder".
 */
export class SkippingWalk {
  private gen: AsyncGenerator<MergedEntry>;

  constructor(
    private readonly sets: readonly ErasureSet[],
    private readonly bucket: string,
    private readonly opts: { prefix?: string; marker?: string },
  ) {
    this.gen = mergedWalk(sets, bucket, opts);
  }

  async next(): Promise<MergedEntry | null> {
    const r = await this.gen.next();
    return r.done ? null : r.value;
  }

  async skipPast(prefix: string): Promise<void> {
    await this.gen.return(undefined);
    const after = prefix + MAX_CHAR;
    const marker = this.opts.marker !== undefined && compareKeys(this.opts.marker, after) > 0 ? this.opts.marker : after;
    this.gen = mergedWalk(this.sets, this.bucket, { ...this.opts, marker });
  }

  async close(): Promise<void> {
    await this.gen.return(undefined);
  }
}
