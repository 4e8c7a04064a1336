/**
 * Sorted walk of a volume: yields every object under a prefix, after a marker, in S3 key order
 * (UTF-8 bytes = code points, `compareKeys`), reading one directory at a time.
 *
 * Depth-first by sorted names is wrong: with `ab`, `ab/x`, `ab-c` the order is `ab`, `ab-c`,
 * `ab/x` because '-' < '/'. So every directory entry is two things: a point (the object
 * `base + text`, if its xl.meta exists) and a range (every key under `base + text + "/"`, or
 * for a continuation piece every key continuing `base + text`). Each range's keys are all
 * greater than its lower bound, so a heap ordered by lower bound (points before ranges on a
 * tie) can emit points in order and open a directory only when its bound is the smallest
 * thing left. The heap holds cursors over sorted directory listings plus unopened ranges.
 *
 * A walk that starts after a marker (every LIST page but the first) seeks: in each directory it
 * opens, a binary search finds the first entry at or after the marker, and the only earlier
 * entries that can still hold wanted keys are those whose text is a prefix of the marker's
 * remaining text, looked up one by one. Big listings come from `listingCache`.
 *
 * One walk can read the same volume on several drives (a listing's m + 1 drives of a set):
 * each directory's listing is then the union of theirs and each entry is probed on every
 * drive, so one heap, one set of cursors and one merge step serve them all.
 */
import { dirname, join } from "node:path";
import { compareKeys } from "../lib/index";
import { linkCountsSubdirs, listingCache, lowerBound, unionListing, type DirItem, type Guard, type Listing } from "./dir-listing";
import type { SetWalkEntry, WalkEntry, WalkOptions, WalkRoot } from "./drive";
import { MinHeap } from "./heap";
import { Filter } from "./walk-filter";
import { keyToRelDir, MAX_PIECE_BYTES, prefixToRelDir } from "./paths";
import { probeBatch, type DirStamp, type Probe, type ProbeJob } from "./probe-workers";

/** A prefetch: marked handled at once, so one nobody awaits cannot become an unhandled error. */
type Settled<T> = Promise<T>;

/** A prefetch whose outcome can be read without an await once it has arrived. */
interface Tracked<T> {
  promise: Promise<T>;
  done?: { ok: true; value: T } | { ok: false; error: unknown };
}

function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { promise };
  promise.then(
    (value) => void (t.done = { ok: true, value }),
    (error: unknown) => void (t.done = { ok: false, error }),
  );
  return t;
}

function settle<T>(p: Promise<T>): Settled<T> {
  p.catch(() => undefined);
  return p;
}

interface Dir {
  /** Its path on each walked volume. */
  abs: string[];
  rel: string;
  /** Key text every entry of this directory extends. */
  base: string;
  /** `rel` is the canonical path of `base` and `base` starts a segment ("" or ends in '/'). */
  canonical: boolean;
  /** Its listing, when prefetched. */
  listing?: Settled<Listing | null>;
}

/**
 * Started by the lookahead: the batch probing an entry (per volume, and its index there),
 * its listing.
 */
interface Prefetch {
  batch?: Tracked<Probe[][]>;
  at?: number;
  listing?: Settled<Listing | null>;
}

/**
 * Entries [i, end) of one directory's shared, immutable listing. `bound` is the key text of
 * entry i; `ahead`: entries before it have had their lookahead started.
 */
interface Cursor {
  type: "cursor";
  dir: Dir;
  list: Listing;
  i: number;
  end: number;
  bound: string;
  ahead: number;
  pre: Map<number, Prefetch>;
}

/**
 * Each fs call is a thread-pool round trip, so the next entries are probed ahead, a batch at a
 * time: a walk is otherwise bound by the workers' latency, not their throughput. When no more
 * than `low` probes are in flight, the next batch starts, reaching `reach` entries past the
 * current one. A walk's first batch is PROBE_REACH entries and the next starts once half of
 * them were consumed, as every batch did before, so a short listing probes no more than it
 * did; then `reach` doubles with each batch up to PROBE_REACH_MAX, `low` following at half
 * the reach before. Why: every batch costs a message each way and wakes a worker, and on a cold
 * 100,000-key listing batches of 256 took ~16% less CPU per key than batches of 32 (flat:
 * 121 against 145 µs, seven alternated rounds; nested folders of 100 keys cap their batches
 * at 100 and gained nothing). Listings of the next few entries' directories are read ahead
 * too, capped lower because a directory can be huge; at most LISTING_AHEAD + 1 are held.
 */
const PROBE_REACH = 64;
const PROBE_REACH_MAX = 512;
const LISTING_AHEAD = 3;

type Item = Cursor | { type: "range"; dir: Dir };

function boundOf(item: Item): string {
  return item.type === "range" ? item.dir.base : item.bound;
}

/** Points (segments) sort before ranges with the same bound: a range holds only longer keys. */
function rankOf(item: Item): number {
  return item.type === "cursor" && item.list[item.i]!.kind === "segment" ? 0 : 1;
}

function itemLess(a: Item, b: Item): boolean {
  const c = compareKeys(boundOf(a), boundOf(b));
  return c !== 0 ? c < 0 : rankOf(a) < rankOf(b);
}

/** Moves to the first wanted entry at or after `i`; false when none is left. */
function settleCursor(c: Cursor, filter: Filter): boolean {
  for (; c.i < c.end; c.i++) {
    const bound = c.dir.base + c.list[c.i]!.text;
    if (filter.wantsEntry(c.list[c.i]!, bound)) {
      c.bound = bound;
      return true;
    }
    c.pre.delete(c.i);
  }
  return false;
}

/** Index ranges of `list` that can hold wanted keys: see the file comment. */
function seek(list: Listing, base: string, lo: string): [number, number][] {
  if (!lo.startsWith(base)) return [[0, list.length]];
  const rest = lo.slice(base.length);
  const slash = rest.indexOf("/");
  const last = slash < 0 ? rest.length - 1 : slash;
  const ranges: [number, number][] = [];
  for (let len = 0; len <= last; len++) {
    const text = rest.slice(0, len);
    let i = lowerBound(list, text);
    const from = i;
    while (i < list.length && list[i]!.text === text) i++;
    if (i > from) ranges.push([from, i]);
  }
  ranges.push([lowerBound(list, rest), list.length]);
  return ranges;
}

function openCursors(dir: Dir, list: Listing, filter: Filter, heap: MinHeap<Item>): void {
  for (const [i, end] of seek(list, dir.base, filter.lo)) {
    const c: Cursor = { type: "cursor", dir, list, i, end, bound: "", ahead: i, pre: new Map() };
    if (settleCursor(c, filter)) heap.push(c);
  }
}

/** Short plain names below a canonical segment start need no re-encoding to be canonical. */
const PLAIN_TEXT_MAX = Math.floor(MAX_PIECE_BYTES / 4);
const PLAIN_KEY_MAX = 256;

function plainCanonical(dir: Dir, e: DirItem, bound: string): boolean {
  return dir.canonical && e.kind === "segment" && e.name === e.text && e.text.length <= PLAIN_TEXT_MAX && bound.length <= PLAIN_KEY_MAX;
}

function isCanonical(dir: Dir, e: DirItem, bound: string): boolean {
  if (plainCanonical(dir, e, bound)) return true;
  const rel = dir.rel === "" ? e.name : `${dir.rel}/${e.name}`;
  try {
    return keyToRelDir(bound) === rel;
  } catch {
    return false; // foreign trees can spell invalid keys (e.g. a `%2E` segment)
  }
}

// Plain concatenation: every part is a single validated name, and path.join is costly per key.
function child(dir: Dir, e: DirItem, bound: string): Dir {
  const segment = e.kind === "segment";
  return {
    abs: dir.abs.map((abs) => `${abs}/${e.name}`),
    rel: dir.rel === "" ? e.name : `${dir.rel}/${e.name}`,
    base: segment ? bound + "/" : bound,
    canonical: plainCanonical(dir, e, bound),
  };
}

interface Ctx {
  filter: Filter;
  /** The walked volumes' drives: their roots (the probe workers' lanes) and guards. */
  roots: { root: string; guard: Guard }[];
  /** Object directories can be probed with a stat (`readLeafListing`). */
  leafProbe: boolean;
  /** Probes in flight at or below which the next batch starts, and how far it reaches (see PROBE_REACH). */
  low: number;
  reach: number;
  /** Keys the caller still expects to take (WalkOptions.expect): reads ahead stop near there. */
  left: number;
}

/** An entry of a cursor's directory to probe on every volume. */
interface Job extends Omit<ProbeJob, "parent"> {
  i: number;
}

/**
 * Probes the next entries in one guarded batch (one deadline and one fault count
 * per batch: per-call bookkeeping cost as much as the reads), then starts the listings of
 * the next LISTING_AHEAD entries that may have sub-directories.
 */
function lookahead(c: Cursor, ctx: Ctx): void {
  const { filter } = ctx;
  if (c.ahead < c.i) c.ahead = c.i; // entries skipped as unwanted need no probe
  // Past what the caller expects, batches are what they were at the start, not what they grew to.
  const reach = Math.min(ctx.reach, Math.max(ctx.left, PROBE_REACH));
  const end = c.ahead - c.i > Math.min(ctx.low, reach / 2) ? c.ahead : Math.min(c.i + reach, c.end);
  const jobs: Job[] = [];
  for (; c.ahead < end; c.ahead++) {
    const e = c.list[c.ahead]!;
    const bound = c.dir.base + e.text;
    const segment = e.kind === "segment";
    // A non-canonical path is not an object.
    const meta = segment && filter.wantsKey(bound) && isCanonical(c.dir, e, bound);
    const leaf = segment && ctx.leafProbe && filter.wantsRange(bound + "/");
    if (meta || leaf) jobs.push({ i: c.ahead, name: e.name, meta, leaf });
  }
  if (jobs.length > 0) {
    const batch = track(probeVolumes(c.dir, ctx, jobs));
    jobs.forEach((j, at) => Object.assign(prefetchOf(c, j.i), { batch, at }));
    [ctx.low, ctx.reach] = [ctx.reach / 2, Math.min(2 * ctx.reach, PROBE_REACH_MAX)];
  }
  const listEnd = Math.min(c.i + LISTING_AHEAD, c.end);
  for (let j = c.i; j < listEnd; j++) {
    const pf = prefetchOf(c, j);
    if (pf.listing !== undefined) continue;
    // A leaf's range is never opened: its listing is not needed (known without a wait once probed).
    if (probedLeaf(pf)) {
      pf.listing = NO_LISTING;
      continue;
    }
    const e = c.list[j]!;
    const sub = child(c.dir, e, c.dir.base + e.text);
    if (!filter.wantsRange(sub.base)) pf.listing = NO_LISTING;
    else if (pf.batch === undefined) pf.listing = settle(readListings(sub, ctx));
    else {
      const at = pf.at!;
      pf.listing = settle(pf.batch.promise.then((perVolume) => (leafEverywhere(perVolume, at) ? null : readListings(sub, ctx, perVolume.map((ps) => ps[at]!.stat)))));
    }
  }
}

const NO_LISTING: Settled<Listing | null> = Promise.resolve(null);

function probedLeaf(pf: Prefetch): boolean {
  const done = pf.batch?.done;
  return done !== undefined && done.ok && leafEverywhere(done.value, pf.at!);
}

/** No volume holds sub-directories of the entry: its range holds no keys on any. */
function leafEverywhere(perVolume: Probe[][], at: number): boolean {
  for (const ps of perVolume) if (ps[at]!.leaf !== true) return false;
  return true;
}

/** One batch per volume (each in its drive's lane and under its guard), answered together. */
function probeVolumes(dir: Dir, ctx: Ctx, jobs: Job[]): Promise<Probe[][]> {
  return Promise.all(
    ctx.roots.map(({ root, guard }, v) => {
      const parent = dir.abs[v]!;
      return guard(() => probeBatch(root, jobs.map(({ name, meta, leaf }) => ({ parent, name, meta, leaf }))));
    }),
  );
}

/**
 * The directory's listing on every volume, as one: the union, so a key one volume lacks is
 * still walked (its entry then probes as absent there). `stats`: per volume, from a probe.
 */
async function readListings(dir: Dir, ctx: Ctx, stats?: (DirStamp | undefined)[], stampFirst = false): Promise<Listing | null> {
  const lists = await Promise.all(
    ctx.roots.map(({ guard }, v) => {
      const stat = stats?.[v];
      return listingCache.read(dir.abs[v]!, guard, stat ? { stat } : { stampFirst });
    }),
  );
  return lists.length === 1 ? lists[0]! : unionListing(lists);
}

function prefetchOf(c: Cursor, i: number): Prefetch {
  let pf = c.pre.get(i);
  if (pf === undefined) c.pre.set(i, (pf = {}));
  return pf;
}

/**
 * The walk in batches: entries whose probes have arrived are handed out together, and a batch
 * ends only where the walk must wait for the disk (or at BATCH_MAX), so a consumer pays one
 * async hop per batch rather than per key.
 */
const BATCH_MAX = 256;

/**
 * The walk of one volume on several drives at once, as one walk: each directory's listing is
 * the union of theirs, and each entry is probed on every drive, so a key comes with each
 * drive's xl.meta (null where a drive lacks it). A key held by any of them is walked. A failure
 * on any drive fails the walk. One drive: the walk of that drive (`walkVolumeBatches`).
 */
export async function* walkVolumesBatches(volumes: readonly WalkRoot[], opts: WalkOptions): AsyncGenerator<SetWalkEntry[]> {
  const prefix = opts.prefix ?? "";
  const filter = new Filter(prefix, opts.marker);
  const start = prefixToRelDir(prefix);
  const roots = volumes.map(({ abs, guard }) => ({ root: dirname(abs), guard }));
  const leafProbe = (await Promise.all(roots.map(({ root, guard }) => linkCountsSubdirs(root, guard)))).every(Boolean);
  const ctx: Ctx = { filter, roots, leafProbe, low: PROBE_REACH / 2, reach: PROBE_REACH, left: opts.expect ?? Infinity };
  const heap = new MinHeap<Item>(itemLess);
  const top: Dir = { abs: volumes.map(({ abs }) => join(abs, start.dir)), rel: start.dir, base: start.base, canonical: true };
  // Every page starts here: a big start directory is worth a stat to reuse its listing.
  heap.push({ type: "range", dir: { ...top, listing: settle(readListings(top, ctx, undefined, true)) } });
  let out: SetWalkEntry[] = [];
  for (let item = heap.pop(); item !== undefined && !filter.pastPrefix(boundOf(item)); item = heap.pop()) {
    if (item.type === "range") {
      if (out.length > 0) yield out.splice(0);
      const list = await (item.dir.listing ?? readListings(item.dir, ctx));
      if (list !== null) openCursors(item.dir, list, filter, heap);
      continue;
    }
    lookahead(item, ctx);
    const e = item.list[item.i]!;
    const bound = item.bound;
    const pf = item.pre.get(item.i);
    item.pre.delete(item.i);
    item.i++;
    if (settleCursor(item, filter)) heap.push(item);
    let found: Probe[][] | undefined;
    if (pf?.batch) {
      if (pf.batch.done === undefined) {
        if (out.length > 0) yield out.splice(0);
        // `track` registered its reaction first, so `done` is set once this await returns.
        await pf.batch.promise.catch(() => undefined);
      }
      const done = pf.batch.done!;
      if (!done.ok) throw done.error;
      found = done.value;
    }
    const at = pf?.at ?? 0;
    if (found === undefined || !leafEverywhere(found, at)) {
      const sub = child(item.dir, e, bound);
      if (filter.wantsRange(sub.base)) heap.push({ type: "range", dir: pf?.listing ? { ...sub, listing: pf.listing } : sub });
    }
    const metas = found === undefined ? null : metasOf(found, at);
    if (metas !== null) {
      out.push({ key: bound, metas });
      ctx.left--;
    }
    if (out.length >= BATCH_MAX) yield out.splice(0);
  }
  if (out.length > 0) yield out;
}

/**
 * Each volume's xl.meta of the entry (an empty one is an interrupted create: absent, as
 * `nonEmptyMeta` reads it), or null when none holds one.
 */
function metasOf(perVolume: Probe[][], at: number): (Uint8Array | null)[] | null {
  let any = false;
  const metas = perVolume.map((ps) => {
    const m = ps[at]!.meta;
    if (m === null || m.length === 0) return null;
    any = true;
    return m;
  });
  return any ? metas : null;
}

/** The walk of one drive's volume (keys with an xl.meta that is not empty). */
export async function* walkVolumeBatches(volumeAbs: string, opts: WalkOptions, guard: Guard): AsyncGenerator<WalkEntry[]> {
  for await (const batch of walkVolumesBatches([{ abs: volumeAbs, guard }], opts)) yield batch.map((e) => ({ key: e.key, meta: e.metas[0]! }));
}
