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
 * thing left. The heap holds one cursor per open directory plus unopened ranges.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import type { Dirent } from "node:fs";
import { join } from "node:path";
import { compareKeys } from "../lib/index";
import type { WalkEntry, WalkOptions } from "./drive";
import { isNotFound } from "./errno";
import { MinHeap } from "./heap";
import { decodeEntry, keyToRelDir, META_FILE, prefixToRelDir, type DecodedEntry } from "./paths";

type Guard = <T>(op: () => Promise<T>) => Promise<T>;

/** A promise that never rejects, so a prefetch nobody awaits cannot become an unhandled error. */
type Settled<T> = Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;

function settle<T>(p: Promise<T>): Settled<T> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

async function unwrap<T>(s: Settled<T>): Promise<T> {
  const r = await s;
  if (r.ok) return r.value;
  throw r.error;
}

interface Dir {
  abs: string;
  rel: string;
  /** Key text every entry of this directory extends. */
  base: string;
  /** Its listing, when prefetched. */
  listing?: Settled<Dirent[] | null>;
}

interface Entry extends DecodedEntry {
  name: string;
  bound: string;
  /** Started by the lookahead: the object's xl.meta and the listing of its directory. */
  meta?: Settled<Uint8Array | null>;
  listing?: Settled<Dirent[] | null>;
}

/** `ahead`: entries before it have had their lookahead started. */
type Cursor = { type: "cursor"; dir: Dir; entries: Entry[]; i: number; ahead: number };

/**
 * Each fs call is a thread-pool round trip, so the metas of the next entries are read ahead
 * (in parallel), and the listings of the next few entries' directories too. Listings are
 * capped lower because a directory can be huge; at most LISTING_AHEAD + 1 are held at once.
 */
const META_AHEAD = 16;
const LISTING_AHEAD = 3;

type Item = Cursor | { type: "range"; dir: Dir };

function boundOf(item: Item): string {
  return item.type === "range" ? item.dir.base : item.entries[item.i]!.bound;
}

/** Points (segments) sort before ranges with the same bound: a range holds only longer keys. */
function rankOf(item: Item): number {
  return item.type === "cursor" && item.entries[item.i]!.kind === "segment" ? 0 : 1;
}

function itemLess(a: Item, b: Item): boolean {
  const c = compareKeys(boundOf(a), boundOf(b));
  return c !== 0 ? c < 0 : rankOf(a) < rankOf(b);
}

class Filter {
  constructor(
    private readonly prefix: string,
    private readonly marker: string | undefined,
  ) {}

  wantsKey(key: string): boolean {
    return key.startsWith(this.prefix) && (this.marker === undefined || compareKeys(key, this.marker) > 0);
  }

  /** Could any key strictly longer than `p` and starting with it be wanted? */
  wantsRange(p: string): boolean {
    if (!p.startsWith(this.prefix) && !this.prefix.startsWith(p)) return false;
    const m = this.marker;
    return m === undefined || m.startsWith(p) || compareKeys(p, m) > 0;
  }

  /** Bounds only grow, so once one is past the prefix nothing later can match. */
  pastPrefix(bound: string): boolean {
    return compareKeys(bound, this.prefix) > 0 && !bound.startsWith(this.prefix);
  }

  wantsEntry(e: Entry): boolean {
    if (e.kind === "continuation") return this.wantsRange(e.bound);
    return this.wantsKey(e.bound) || this.wantsRange(e.bound + "/");
  }
}

/** Synchronous when the filesystem reports entry types (an await per entry adds up). */
function isDir(d: Dirent, abs: string): boolean | Promise<boolean> {
  if (d.isDirectory()) return true;
  if (d.isFile() || d.isSymbolicLink()) return false; // symlinks are never followed
  return lstat(join(abs, d.name)).then(
    (st) => st.isDirectory(),
    () => false,
  );
}

function list(abs: string, guard: Guard): Promise<Dirent[] | null> {
  return guard(() => readdir(abs, { withFileTypes: true }).catch(nullIfMissing));
}

async function openDir(dir: Dir, filter: Filter, guard: Guard): Promise<Entry[]> {
  const dirents = await (dir.listing ? unwrap(dir.listing) : list(dir.abs, guard));
  const entries: Entry[] = [];
  for (const d of dirents ?? []) {
    const decoded = decodeEntry(d.name);
    if (decoded === null) continue;
    const entry = { ...decoded, name: d.name, bound: dir.base + decoded.text };
    if (!filter.wantsEntry(entry)) continue;
    const known = isDir(d, dir.abs);
    if (known === true || (known !== false && (await known))) entries.push(entry);
  }
  return entries.sort((a, b) => compareKeys(a.bound, b.bound) || (a.kind === "segment" ? -1 : 1));
}

function nullIfMissing(err: unknown): null {
  if (isNotFound(err)) return null;
  throw err;
}

async function readObjectMeta(dir: Dir, entry: Entry, guard: Guard): Promise<Uint8Array | null> {
  const rel = dir.rel === "" ? entry.name : `${dir.rel}/${entry.name}`;
  if (canonicalRelDir(entry.bound) !== rel) return null; // a non-canonical path is not an object
  const data = await guard(() => readFile(`${dir.abs}/${entry.name}/${META_FILE}`).catch(nullIfMissing));
  return data === null ? null : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function canonicalRelDir(key: string): string | null {
  try {
    return keyToRelDir(key);
  } catch {
    return null; // foreign trees can spell invalid keys (e.g. a `%2E` segment)
  }
}

// Plain concatenation: every part is a single validated name, and path.join is costly per key.
function child(dir: Dir, entry: Entry): Dir {
  const base = entry.kind === "segment" ? entry.bound + "/" : entry.bound;
  return { abs: `${dir.abs}/${entry.name}`, rel: dir.rel === "" ? entry.name : `${dir.rel}/${entry.name}`, base };
}

function lookahead(cursor: Cursor, filter: Filter, guard: Guard): void {
  const end = Math.min(cursor.i + META_AHEAD, cursor.entries.length);
  for (; cursor.ahead < end; cursor.ahead++) {
    const e = cursor.entries[cursor.ahead]!;
    if (e.kind === "segment" && filter.wantsKey(e.bound)) e.meta = settle(readObjectMeta(cursor.dir, e, guard));
  }
  // Listings trail the metas: start the ones that have come within LISTING_AHEAD.
  const listEnd = Math.min(cursor.i + LISTING_AHEAD, cursor.entries.length);
  for (let j = cursor.i; j < listEnd; j++) {
    const e = cursor.entries[j]!;
    if (e.listing !== undefined) continue;
    const sub = child(cursor.dir, e);
    e.listing = filter.wantsRange(sub.base) ? settle(list(sub.abs, guard)) : settle(Promise.resolve(null));
  }
}

export async function* walkVolume(volumeAbs: string, opts: WalkOptions, guard: Guard): AsyncGenerator<WalkEntry> {
  const prefix = opts.prefix ?? "";
  const filter = new Filter(prefix, opts.marker);
  const start = prefixToRelDir(prefix);
  const heap = new MinHeap<Item>(itemLess);
  heap.push({ type: "range", dir: { abs: join(volumeAbs, start.dir), rel: start.dir, base: start.base } });
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) {
    if (filter.pastPrefix(boundOf(item))) return;
    if (item.type === "range") {
      const entries = await openDir(item.dir, filter, guard);
      if (entries.length > 0) heap.push({ type: "cursor", dir: item.dir, entries, i: 0, ahead: 0 });
      continue;
    }
    lookahead(item, filter, guard);
    const entry = item.entries[item.i]!;
    if (++item.i < item.entries.length) heap.push(item);
    const sub = child(item.dir, entry);
    if (filter.wantsRange(sub.base)) heap.push({ type: "range", dir: { ...sub, listing: entry.listing } });
    if (entry.meta !== undefined) {
      const meta = await unwrap(entry.meta);
      if (meta !== null) yield { key: entry.bound, meta };
    }
  }
}
