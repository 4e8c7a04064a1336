/**
 * Listing results kept for the next pages of a listing (MinIO's metacache idea). A page walk
 * stores what it found as a *run*: the items after a start marker, in key order, with how far
 * the walk got. A later page whose marker falls inside a run is served from memory, and only
 * the part past the run's end is walked (and appended). Concurrent listers of the same prefix
 * (pages of 1,000 at c=8) share one run instead of walking the drives eight times.
 *
 * Correctness rests on a per-bucket generation, shared by every process serving the drives
 * (generations.ts). Every write path of the layer that can change
 * what a listing shows bumps its bucket's generation before and again after it touches the
 * drives (so before it is acknowledged); a run belongs to one generation and is dropped at a
 * bump, and a walk stores its results only if the generation it started under is still
 * current when it ends, so a walk that overlapped a write never stores what it saw.
 *
 * What this process did not do (files removed or corrupted by hand, a drive swapped, a drive
 * going offline) cannot bump anything. Two bounds keep that visible: only continuations (a
 * listing given a marker) read runs, so every listing that starts from the beginning walks
 * the drives again (or shares a walk from the beginning that is in flight as it arrives); and
 * items are served for at most maxAgeMs after they were walked, so a paginated listing sees
 * outside changes at most that late.
 */
import { compareKeys } from "../lib/index";
import type { ObjectInfo } from "../object/index";
import { Generations } from "./generations";

/** One listing entry: an object (`info`), or a common prefix (no `info`). */
export interface ListItem {
  /** The key, or the common prefix: what markers are compared with. */
  name: string;
  info?: ObjectInfo;
}

export interface ListQuery {
  prefix: string;
  delimiter: string | undefined;
}

export interface CacheLimits {
  /** Items held over all runs (an item is a key and its ObjectInfo: a few hundred bytes). */
  maxItems: number;
  /** Items are served this long after the walk that found them. */
  maxAgeMs: number;
}

/** 100,000 items are ~55 MB of heap (measured ~540 bytes per listed object: key, ObjectInfo). */
export const DEFAULT_LIMITS: CacheLimits = { maxItems: 100_000, maxAgeMs: 30_000 };
/** Runs kept per (bucket, prefix, delimiter): listers far apart in one namespace. */
const RUNS_PER_QUERY = 4;
/** Runs kept in all: many small listings must not make every lookup slow. */
const MAX_RUNS = 1024;

interface Run {
  readonly bucket: string;
  /** Bucket, prefix and delimiter. */
  readonly query: string;
  gen: number;
  /** Exclusive start: the marker of the first walk (undefined: the beginning). */
  lo: string | undefined;
  /** Covered through here: the last item, or `lo` while empty. */
  end: string | undefined;
  /** Nothing exists after `end`. */
  done: boolean;
  items: ListItem[];
  /** Walk times: items [previous chunk's end, end) were walked at `born`. */
  chunks: { born: number; end: number }[];
}

/** Items of a run after a marker, and where the run stops. */
export interface RunRead {
  items: ListItem[];
  /** A walk continuing this read starts after `end` (undefined only when done). */
  end: string | undefined;
  done: boolean;
}

/** First index whose name sorts after `marker`. */
function upperBound(items: ListItem[], marker: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(items[mid]!.name, marker) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What a walk found: its items, and whether it ran out of keys. */
export interface WalkResult {
  items: ListItem[];
  done: boolean;
}

interface Walk extends WalkResult {
  gen: number;
  from: string | undefined;
}

/** A walk from a run's start that stops inside the run: it can replace the run's front. */
function refreshes(run: Run, walk: Walk): boolean {
  const last = walk.items[walk.items.length - 1];
  if (walk.done || last === undefined) return false;
  return run.done || (run.end !== undefined && compareKeys(last.name, run.end) < 0);
}

function reachesFurther(a: Run, b: Run): boolean {
  if (b.done || a.end === undefined) return false;
  return a.done || b.end === undefined || compareKeys(a.end, b.end) > 0;
}

function queryKey(bucket: string, q: ListQuery): string {
  return `${bucket}\0${q.prefix}\0${q.delimiter ?? ""}`;
}

/** A walk's identity: its query and start (the beginning apart from an empty marker). */
function walkKey(bucket: string, q: ListQuery, from: string | undefined): string {
  return `${queryKey(bucket, q)}\0${from === undefined ? "^" : `>${from}`}`;
}

function covers(run: Run, marker: string): boolean {
  if (run.lo !== undefined && compareKeys(marker, run.lo) < 0) return false;
  return run.done || (run.end !== undefined && compareKeys(marker, run.end) <= 0);
}

/** The generation name of one bucket's listings, and of every bucket's (generations.ts). */
export const bucketGenName = (bucket: string) => `\0bucket\0${bucket}`;
const EVERY_BUCKET = "\0every bucket";

export class ListingResults {
  private readonly everySlot: number;
  /** Every run; Set order is recency (a use re-inserts), the eviction order. */
  private readonly runs = new Set<Run>();
  private readonly byQuery = new Map<string, Run[]>();
  /** The runs of each bucket: a bump (twice per write) drops them without scanning every run. */
  private readonly byBucket = new Map<string, Set<Run>>();
  private held = 0;
  private readonly inflight = new Map<string, { gen: number; walk: Promise<WalkResult> }>();

  /** `clock`: milliseconds now (tests move time without sleeping). */
  constructor(
    private readonly limits: CacheLimits = DEFAULT_LIMITS,
    private readonly clock: () => number = Date.now,
    /** Shared with the other processes serving the drives: their writes void runs here too. */
    private readonly gens: Generations = Generations.inMemory(),
  ) {
    this.everySlot = gens.slotOf(EVERY_BUCKET);
  }

  generation(bucket: string): number {
    return (this.gens.count(this.gens.slotOf(bucketGenName(bucket))) + this.gens.count(this.everySlot)) | 0;
  }

  /** A write to `bucket` is about to happen or has happened: its runs are void. */
  bump(bucket: string): void {
    this.gens.bump(this.gens.slotOf(bucketGenName(bucket)));
    for (const run of this.byBucket.get(bucket) ?? []) this.drop(run);
  }

  /** A change in every bucket (a heal of all of them). */
  bumpAll(): void {
    this.gens.bump(this.everySlot);
    for (const run of this.runs) this.drop(run);
  }

  /** Up to `count` items after `marker` from a current run that covers it, or null. */
  read(bucket: string, q: ListQuery, marker: string, count: number): RunRead | null {
    const run = this.find(bucket, q, marker);
    if (run === null) return null;
    this.touch(run);
    const from = upperBound(run.items, marker);
    const items = run.items.slice(from, from + count);
    return { items, end: run.end, done: run.done };
  }

  /**
   * Stores what a walk found after `from` (exclusive) under generation `gen`: appended to the
   * run it continues, or replacing the front of a run that starts where it started (a new
   * listing of the same namespace: its later pages still come from the run), else as a new
   * run. Dropped when the bucket changed during the walk.
   */
  store(bucket: string, q: ListQuery, walk: Walk): void {
    if (walk.gen !== this.generation(bucket)) return;
    const query = queryKey(bucket, q);
    const same = this.sameQuery(query).filter((r) => r.gen === walk.gen);
    let run = same.find((r) => !r.done && r.end === walk.from);
    const older = run === undefined ? same.find((r) => r.lo === walk.from) : undefined;
    if (older !== undefined && refreshes(older, walk)) return this.refreshFront(older, walk);
    run ??= this.newRun(bucket, query, walk);
    this.touch(run);
    for (const item of walk.items) run.items.push(item);
    run.chunks.push({ born: this.clock(), end: run.items.length });
    if (walk.items.length > 0) run.end = walk.items[walk.items.length - 1]!.name;
    run.done = walk.done;
    this.held += walk.items.length;
    this.evict(run);
    this.startSweeper();
  }

  private sweeper: ReturnType<typeof setInterval> | null = null;

  /** Expired items are freed even if no lister comes back for them. */
  private startSweeper(): void {
    if (this.sweeper !== null) return;
    this.sweeper = setInterval(() => {
      for (const run of this.runs) this.expire(run);
      if (this.runs.size > 0 || this.sweeper === null) return;
      clearInterval(this.sweeper);
      this.sweeper = null;
    }, this.limits.maxAgeMs);
    this.sweeper.unref?.(); // never keeps a process alive
  }

  /**
   * A walk in progress from `from` (exclusive), which a lister needing the same can await. Only
   * a walk that began after the bucket's last change is offered.
   */
  walking(bucket: string, q: ListQuery, from: string | undefined): Promise<WalkResult> | undefined {
    const w = this.inflight.get(walkKey(bucket, q, from));
    return w !== undefined && w.gen === this.generation(bucket) ? w.walk : undefined;
  }

  track(bucket: string, q: ListQuery, w: { gen: number; from: string | undefined; walk: Promise<WalkResult> }): void {
    const key = walkKey(bucket, q, w.from);
    const entry = { gen: w.gen, walk: w.walk };
    this.inflight.set(key, entry);
    const forget = () => {
      if (this.inflight.get(key) === entry) this.inflight.delete(key);
    };
    w.walk.then(forget, forget);
  }

  /** Items held (tests check the bound). */
  get size(): number {
    return this.held;
  }

  private sameQuery(query: string): Run[] {
    return this.byQuery.get(query) ?? [];
  }

  private newRun(bucket: string, query: string, walk: { gen: number; from: string | undefined }): Run {
    // A new listing from the same start supersedes the older run.
    for (const r of [...this.sameQuery(query)]) if (r.lo === walk.from) this.drop(r);
    const same = this.sameQuery(query);
    if (same.length >= RUNS_PER_QUERY) this.drop(same[0]!);
    if (this.runs.size >= MAX_RUNS) this.drop(this.runs.values().next().value!);
    const run: Run = { bucket, query, gen: walk.gen, lo: walk.from, end: walk.from, done: false, items: [], chunks: [] };
    this.runs.add(run);
    this.byQuery.set(query, [...this.sameQuery(query), run]);
    const ofBucket = this.byBucket.get(bucket) ?? new Set<Run>();
    this.byBucket.set(bucket, ofBucket.add(run));
    return run;
  }

  /** The walk's items replace the run's up to the walk's last item; the rest is kept. */
  private refreshFront(run: Run, walk: Walk): void {
    const n = walk.items.length;
    const cut = upperBound(run.items, walk.items[n - 1]!.name);
    this.held += n - cut;
    run.items = walk.items.concat(run.items.slice(cut));
    const kept = run.chunks.filter((c) => c.end > cut).map((c) => ({ born: c.born, end: c.end - cut + n }));
    run.chunks = [{ born: this.clock(), end: n }, ...kept];
    this.touch(run);
    this.evict(run);
  }

  private touch(run: Run): void {
    this.runs.delete(run);
    this.runs.add(run);
  }

  /** The current run covering `marker` that reaches furthest (runs may overlap). */
  private find(bucket: string, q: ListQuery, marker: string): Run | null {
    const gen = this.generation(bucket);
    let best: Run | null = null;
    for (const run of [...this.sameQuery(queryKey(bucket, q))]) {
      this.expire(run);
      if (run.gen !== gen || !this.runs.has(run) || !covers(run, marker)) continue;
      if (best === null || reachesFurther(run, best)) best = run;
    }
    return best;
  }

  /**
   * Drops the items walked more than maxAgeMs ago: old chunks at the front (the run then
   * starts after them), and from the first old chunk further in to the end (the run then
   * ends before it; a refreshed front makes the newest chunk come first).
   */
  private expire(run: Run): void {
    const limit = this.clock() - this.limits.maxAgeMs;
    let n = 0;
    while (n < run.chunks.length && run.chunks[n]!.born < limit) n++;
    if (n === run.chunks.length) return this.drop(run);
    if (n > 0) {
      this.trimFront(run, run.chunks[n - 1]!.end);
      run.chunks.splice(0, n);
    }
    const old = run.chunks.findIndex((c) => c.born < limit);
    if (old < 0) return;
    const keep = run.chunks[old - 1]!.end;
    this.held -= run.items.length - keep;
    run.items.length = keep;
    run.chunks.length = old;
    run.end = run.items[keep - 1]?.name ?? run.lo;
    run.done = false;
  }

  /** Removes the first `count` items; the run then starts after the last of them. */
  private trimFront(run: Run, count: number): void {
    if (count <= 0) return;
    run.lo = run.items[count - 1]!.name;
    run.items.splice(0, count);
    for (const c of run.chunks) c.end -= count;
    this.held -= count;
  }

  /** Least recently used runs go first; a run alone over the cap loses its oldest items. */
  private evict(current: Run): void {
    for (const run of this.runs) {
      if (this.held <= this.limits.maxItems) return;
      if (run !== current) this.drop(run);
    }
    if (this.held <= this.limits.maxItems) return;
    const excess = this.held - this.limits.maxItems;
    while (current.chunks.length > 0 && current.chunks[0]!.end <= excess) current.chunks.shift();
    this.trimFront(current, excess);
    if (current.items.length === 0) this.drop(current);
  }

  private drop(run: Run): void {
    if (!this.runs.delete(run)) return;
    this.held -= run.items.length;
    const rest = this.sameQuery(run.query).filter((r) => r !== run);
    if (rest.length > 0) this.byQuery.set(run.query, rest);
    else this.byQuery.delete(run.query);
    const ofBucket = this.byBucket.get(run.bucket)!;
    ofBucket.delete(run);
    if (ofBucket.size === 0) this.byBucket.delete(run.bucket);
  }
}
