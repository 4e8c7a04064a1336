/**
 * A lazy, sorted walk of a bucket across drives: drives walk their own namespace
 * (`drive.walkBatches`), and the cursors are merged by key (S3 order, `compareKeys`). For each key the
 * caller gets that set's per-drive xl.meta, decoded (null where absent/corrupt/not walked),
 * and decides by quorum what the key is. Memory: one pending entry per walked drive.
 *
 * `quorum: true` (listings) walks only m + 1 drives of a set (m = parity), MinIO's "list
 * quorum". A key GET can read sits on at least k = n − m drives, so any m + 1 drives include
 * one holding it, even with the data of m drives lost. When all walked drives hold a key and
 * agree on its latest version, and they are at least its read quorum, the full walk would
 * decide the same (no other version can gather more drives), so the others are not read. At
 * the first key where they do not (a drive lacks it, holds another version, fails mid-walk),
 * the set falls back to walking all its drives from the previous key on, and the caller sees
 * every drive's xl.meta from then on. Sets whose m + 1 is below k always walk every drive,
 * and so does heal (the default).
 *
 * A listing's m + 1 drives are walked together, as one walk of their union (storage's
 * `walkVolumesBatches`), where each can be (`walkRoot`); if that walk fails, they are walked
 * again one by one from the last merged key, so a failing drive drops out alone.
 */
import { compareKeys } from "../lib/index";
import { walkVolumesBatches, type SetWalkEntry, type WalkEntry, type WalkOptions, type WalkRoot } from "../storage/index";
import { SiblingRef, type XlMeta } from "../xlmeta/index";
import { decodeOrCorrupt, readQuorumOf, sameVersion } from "./meta-read";
import type { ErasureSet } from "./set";

export interface MergedEntry {
  key: string;
  set: ErasureSet;
  /**
   * Per drive position of `set`: its decoded xl.meta, or null. In a listing (`quorum`), a copy
   * equal to the first drive's but for erasure indexes and inline shards is that first object.
   */
  metas: (XlMeta | null)[];
  /** Set when the walked drives alone settled the key: the xl.meta they agree on. */
  agreed?: XlMeta;
}

export interface MergeOptions {
  prefix?: string;
  marker?: string;
  /** Walk only a read quorum of each set's drives while they agree (see the file comment). */
  quorum?: boolean;
  /** About how many keys the caller will take (WalkOptions.expect). */
  expect?: number;
}

/** A walk of one drive, or of several at once (one walk, each key probed on each: `walkVolumesBatches`). */
interface Cursor {
  set: SetWalk;
  /** The drive positions walked; `head.metas[j]` is position `positions[j]`'s. */
  positions: number[];
  it: AsyncIterator<SetWalkEntry[]>;
  /** The walk's current batch; `head` is `buf[at]`. */
  buf: SetWalkEntry[];
  at: number;
  head: SetWalkEntry | null;
  failed: boolean;
}

interface SetWalk {
  set: ErasureSet;
  /** Positions whose walk was started (a drive that ran out of keys stays counted). */
  started: Set<number>;
  /** Every drive is walked: no agreement check needed. */
  full: boolean;
}

/** Moves to the drive's next entry: synchronously (null) while its batch lasts. */
function advance(c: Cursor): Promise<void> | null {
  if (++c.at < c.buf.length) {
    c.head = c.buf[c.at]!;
    return null;
  }
  return nextBatch(c);
}

async function nextBatch(c: Cursor): Promise<void> {
  try {
    for (let r = await c.it.next(); ; r = await c.it.next()) {
      if (r.done) break;
      if (r.value.length === 0) continue;
      [c.buf, c.at, c.head] = [r.value, 0, r.value[0]!];
      return;
    }
  } catch {
    // A drive failing mid-walk drops out of this listing; the others still answer.
    c.failed = true;
  }
  [c.buf, c.at, c.head] = [[], 0, null];
}

/** Advances every cursor: null when all moved within their batches (no await needed). */
function advanceAll(cursors: Cursor[]): Promise<unknown> | null {
  let waits: Promise<void>[] | null = null;
  for (const c of cursors) {
    const w = advance(c);
    if (w !== null) (waits ??= []).push(w);
  }
  return waits === null ? null : Promise.all(waits);
}

async function* asSetEntries(batches: AsyncIterable<WalkEntry[]>): AsyncGenerator<SetWalkEntry[]> {
  for await (const batch of batches) yield batch.map((e) => ({ key: e.key, metas: [e.meta] }));
}

/** A drive's xl.meta, or null where it does not decode (that drive then lacks the key). */
function decodeQuiet(decode: () => XlMeta): XlMeta | null {
  try {
    return decode();
  } catch {
    return null;
  }
}

/** How many of a set's drives a listing walks: m + 1, or every drive where m + 1 < k (see the file comment). */
export function listingWidth(size: number, readQuorum: number): number {
  const want = size - readQuorum + 1;
  return want < readQuorum ? size : want;
}

/** The first m + 1 online positions, or every position (see the file comment). */
function initialPositions(set: ErasureSet, quorum: boolean): number[] {
  const all = set.drives.map((_, i) => i);
  const want = listingWidth(set.size, set.defaultReadQuorum);
  if (!quorum || want === set.size) return all;
  const online = all.filter((i) => set.drives[i]!.isOnline());
  return online.length > want ? online.slice(0, want) : all;
}

/** The xl.meta every walked drive of the set returned for this key, if they agree and are a quorum. */
function settledByWalked(sw: SetWalk, metas: (XlMeta | null)[]): XlMeta | null {
  let first: XlMeta | null = null;
  for (const pos of sw.started) {
    const m = metas[pos];
    const v = m?.versions[0];
    if (v === undefined) return null;
    if (first !== null && !sameVersion(first.versions[0]!, v)) return null;
    first ??= m!;
  }
  return first !== null && sw.started.size >= readQuorumOf(sw.set, first.versions[0]!) ? first : null;
}

class Merge {
  readonly cursors: Cursor[] = [];
  readonly sets: SetWalk[];

  constructor(
    sets: readonly ErasureSet[],
    private readonly bucket: string,
    private readonly opts: MergeOptions,
  ) {
    this.sets = sets.map((set) => ({ set, started: new Set<number>(), full: false }));
  }

  private walkOptions(marker: string | undefined): WalkOptions {
    const { prefix, expect } = this.opts;
    return { ...(prefix ? { prefix } : {}), ...(marker !== undefined ? { marker } : {}), ...(expect !== undefined ? { expect } : {}) };
  }

  private add(sw: SetWalk, positions: number[], it: AsyncIterator<SetWalkEntry[]>): Cursor {
    for (const pos of positions) sw.started.add(pos);
    sw.full = sw.started.size === sw.set.size;
    const c: Cursor = { set: sw, positions, it, buf: [], at: -1, head: null, failed: false };
    this.cursors.push(c);
    return c;
  }

  /** Starts a walk of each of `positions` after `marker`; returns the new cursors, not yet advanced. */
  start(sw: SetWalk, positions: number[], marker: string | undefined): Cursor[] {
    const fresh: Cursor[] = [];
    for (const pos of positions) {
      if (sw.started.has(pos)) continue;
      fresh.push(this.add(sw, [pos], asSetEntries(sw.set.drives[pos]!.walkBatches(this.bucket, this.walkOptions(marker)))));
    }
    return fresh;
  }

  /**
   * One walk of `positions` together, where each drive can be walked so (walkRoot): a listing's
   * m + 1 drives hold the same names, so one walk of their directories does the work of m + 1
   * (measured: a third drive walked on its own cost a third of a listing's CPU per key).
   * Otherwise, and for heal's walks, a walk of each.
   */
  async startTogether(sw: SetWalk, positions: number[], marker: string | undefined): Promise<void> {
    const roots = this.opts.quorum && positions.length > 1 ? await this.walkRoots(sw, positions) : null;
    if (roots === null) this.start(sw, positions, marker);
    else this.add(sw, positions, walkVolumesBatches(roots, this.walkOptions(marker)));
  }

  /** Each position's walkRoot, or null where one has none (or cannot give it). */
  private async walkRoots(sw: SetWalk, positions: number[]): Promise<WalkRoot[] | null> {
    const roots = await Promise.all(positions.map((pos) => sw.set.drives[pos]!.walkRoot(this.bucket).catch(() => null)));
    return roots.every((r) => r !== null) ? roots : null;
  }

  /** Every drive of the set from `after` on (its walked drives already stand past it). */
  async widen(sw: SetWalk, after: string | undefined): Promise<void> {
    await advanceAll(this.start(sw, sw.set.drives.map((_, i) => i), after));
  }

  failed(): boolean {
    return this.cursors.some((c) => c.failed);
  }

  /** The sets with a cursor in `at`, in set order (usually one: no Set needed per key). */
  setsAt(at: Cursor[]): SetWalk[] {
    if (this.sets.length === 1) return this.sets;
    return this.sets.filter((sw) => at.some((c) => c.set === sw));
  }

  /**
   * Sets that lost a walked drive widen; a full walk just carries on without it. A walk of
   * several drives that failed is walked again drive by drive, so one failing drive drops out
   * alone.
   */
  async repair(after: string | undefined): Promise<void> {
    for (const c of this.cursors) {
      if (!c.failed) continue;
      c.failed = false;
      if (c.positions.length > 1) for (const pos of c.positions) c.set.started.delete(pos);
      if (!c.set.full || c.positions.length > 1) await this.widen(c.set, after);
    }
  }

  minKey(): string | null {
    let min: string | null = null;
    for (const c of this.cursors) if (c.head && (min === null || compareKeys(c.head.key, min) < 0)) min = c.head.key;
    return min;
  }

  /**
   * Listings decode the first drive's copy in full and check the others against it: a copy
   * that differs only in its erasure indexes and inline shards (SiblingRef.agrees) is given the
   * first copy's object itself, since a listing reads neither; any other is decoded. Heal gets
   * independent decodes.
   */
  metasAt(sw: SetWalk, at: Cursor[]): (XlMeta | null)[] {
    const metas: (XlMeta | null)[] = sw.set.drives.map(() => null);
    let ref: SiblingRef | null = null;
    for (const c of at) {
      if (c.set !== sw) continue;
      for (let j = 0; j < c.positions.length; j++) {
        const bytes = c.head!.metas[j];
        if (bytes === null || bytes === undefined) continue;
        const pos = c.positions[j]!;
        const sibling = ref;
        const m: XlMeta | null = decodeQuiet(sibling !== null ? () => (sibling.agrees(bytes) ? sibling.meta : sibling.decode(bytes)) : () => decodeOrCorrupt(bytes, sw.set.drives[pos]!.endpoint));
        if (m !== null && ref === null && this.opts.quorum) ref = new SiblingRef(bytes, m);
        metas[pos] = m;
      }
    }
    return metas;
  }

  async close(): Promise<void> {
    await Promise.all(this.cursors.map((c) => c.it.return?.().catch(() => undefined)));
  }
}

/**
 * Merged entries in batches: the keys that could be merged without waiting for a drive, at
 * most MERGE_BATCH (a listing stops mid-batch, and the rest of a batch was decoded for
 * nothing), so a consumer pays one async step per batch, not per key.
 */
const MERGE_BATCH = 32;

export async function* mergedBatches(sets: readonly ErasureSet[], bucket: string, opts: MergeOptions): AsyncGenerator<MergedEntry[]> {
  const m = new Merge(sets, bucket, opts);
  let prev = opts.marker;
  let out: MergedEntry[] = [];
  try {
    for (const sw of m.sets) await m.startTogether(sw, initialPositions(sw.set, opts.quorum === true), prev);
    await advanceAll(m.cursors);
    await m.repair(prev);
    for (let min = m.minKey(); min !== null; min = m.minKey()) {
      const at = m.cursors.filter((c) => c.head?.key === min);
      // Keys never live in two sets, but a misplaced copy must not be merged into another set.
      const found: MergedEntry[] = [];
      let widened = false;
      for (const sw of m.setsAt(at)) {
        const metas = m.metasAt(sw, at);
        const agreed = sw.full ? null : settledByWalked(sw, metas);
        if (!sw.full && agreed === null) {
          await m.widen(sw, prev);
          widened = true;
        }
        found.push({ key: min, set: sw.set, metas, ...(agreed && { agreed }) });
      }
      if (widened) continue; // the new walks may hold keys before `min`: merge again
      for (const e of found) out.push(e);
      const wait = advanceAll(at);
      if (wait !== null || out.length >= MERGE_BATCH) yield out.splice(0);
      if (wait !== null) await wait;
      prev = min;
      if (m.failed()) await m.repair(prev);
    }
    if (out.length > 0) yield out;
  } finally {
    await m.close();
  }
}

export async function* mergedWalk(sets: readonly ErasureSet[], bucket: string, opts: MergeOptions): AsyncGenerator<MergedEntry> {
  for await (const batch of mergedBatches(sets, bucket, opts)) yield* batch;
}

/** Above every code point: `p + MAX_CHAR` sorts after every key that starts with `p`. */
const MAX_CHAR = "\u{10FFFF}";

/**
 * A merged walk that can jump past every key under a common prefix by restarting the drive
 * walks after it, so a delimiter listing need not read each key of a big "folder".
 */
export class SkippingWalk {
  private gen: AsyncGenerator<MergedEntry[]>;
  /** The current batch; entries before `at` were handed out. */
  private buf: MergedEntry[] = [];
  private at = 0;

  constructor(
    private readonly sets: readonly ErasureSet[],
    private readonly bucket: string,
    private readonly opts: MergeOptions,
  ) {
    this.gen = mergedBatches(sets, bucket, opts);
  }

  /** The next entry: synchronously while the current batch lasts (null: the walk is over). */
  next(): MergedEntry | null | Promise<MergedEntry | null> {
    if (this.at < this.buf.length) return this.buf[this.at++]!;
    return this.refill();
  }

  private async refill(): Promise<MergedEntry | null> {
    for (;;) {
      const r = await this.gen.next();
      if (r.done) return null;
      [this.buf, this.at] = [r.value, 0];
      if (this.buf.length > 0) return this.buf[this.at++]!;
    }
  }

  async skipPast(prefix: string): Promise<void> {
    await this.gen.return(undefined);
    [this.buf, this.at] = [[], 0];
    const after = prefix + MAX_CHAR;
    const marker = this.opts.marker !== undefined && compareKeys(this.opts.marker, after) > 0 ? this.opts.marker : after;
    this.gen = mergedBatches(this.sets, this.bucket, { ...this.opts, marker });
  }

  async close(): Promise<void> {
    await this.gen.return(undefined);
  }
}
