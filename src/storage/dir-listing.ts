/**
 * One directory's walkable entries, decoded and sorted in key order, and a cache of the big
 * ones. A flat "folder" of 100,000 keys is one directory: reading and sorting it costs ~100 ms,
 * and every LIST page resumes inside it, so without the cache a full listing is quadratic.
 *
 * A cached listing is reused only while the directory's (inode, mtime, ctime) is unchanged:
 * adding, removing or renaming an entry sets both times to now (ctime also catches an mtime
 * set back by hand). Kernel timestamps are coarse (a clock tick), so two changes within one
 * tick can share an mtime; a listing is therefore cached only when the directory's mtime was
 * SETTLE_MS old at the stat that preceded the read, so any later change carries another time. Only directories seen big before are
 * stat'ed: for the many small ones (each object's own directory) the stat would cost as much as
 * the read.
 */
import { lstat, readdir } from "node:fs/promises";
import type { Dirent } from "node:fs";
import { compareKeys } from "../lib/index";
import { isNotFound } from "./errno";
import { decodeEntry, type DecodedEntry } from "./paths";
import type { DirStamp } from "./probe-workers";

export type Guard = <T>(op: () => Promise<T>) => Promise<T>;

/** A sub-directory that may hold objects: its on-disk name and what it means for keys. */
export interface DirItem extends DecodedEntry {
  name: string;
}

export type Listing = readonly DirItem[];

/** Directories with at least this many entries are cached. */
export const BIG_DIR = 1000;
/** Upper bound on cached entries over all directories (~100 bytes each). */
const MAX_CACHED_ENTRIES = 400_000;
const SETTLE_MS = 2000n;
/** Paths remembered as big; forgotten wholesale when a tree of big directories exceeds it. */
const MAX_BIG_PATHS = 4096;
/** A listing unused this long is dropped, so an idle server does not keep tens of MB. */
const IDLE_MS = 60_000;

function nullIfMissing(err: unknown): null {
  if (isNotFound(err)) return null;
  throw err;
}

/** Synchronous when the filesystem reports entry types (an await per entry adds up). */
function isDir(d: Dirent, abs: string): boolean | Promise<boolean> {
  if (d.isDirectory()) return true;
  if (d.isFile() || d.isSymbolicLink()) return false; // symlinks are never followed
  return lstat(`${abs}/${d.name}`).then(
    (st) => st.isDirectory(),
    () => false,
  );
}

// Points (segments) before continuations on equal text: a continuation holds only longer keys.
const kindOrder = (a: DirItem, b: DirItem) => (a.kind === b.kind ? 0 : a.kind === "segment" ? -1 : 1);

export function compareItems(a: DirItem, b: DirItem): number {
  return compareKeys(a.text, b.text) || kindOrder(a, b);
}

/** UTF-16 order (the engine's own string compare) is code point order below U+D800. */
const fastItems = (a: DirItem, b: DirItem) => (a.text < b.text ? -1 : a.text > b.text ? 1 : kindOrder(a, b));
const HIGH = /[\uD800-\uFFFF]/;

/** Reads and sorts a directory; null when it does not exist. */
export async function readListing(abs: string, guard: Guard): Promise<Listing | null> {
  const dirents = await guard(() => readdir(abs, { withFileTypes: true }).catch(nullIfMissing));
  if (dirents === null) return null;
  const items: DirItem[] = [];
  for (const d of dirents) {
    const decoded = decodeEntry(d.name);
    if (decoded === null) continue;
    const known = isDir(d, abs);
    if (known === true || (known !== false && (await known))) items.push({ kind: decoded.kind, text: decoded.text, name: d.name });
  }
  if (items.some((i) => HIGH.test(i.text))) return items.sort(compareItems);
  return items.every((i) => i.name === i.text) ? sortPlain(items) : items.sort(fastItems);
}

/**
 * Items whose names are their texts (segments needing no unescaping, the usual case), by the
 * engine's native sort of their names: 100,000 of them sort in ~20 ms that way against ~200
 * with a comparator, paid by every drive a cold listing of a big folder walks. A name equal
 * to its text is always a segment (a continuation's name carries its '~').
 */
function sortPlain(items: DirItem[]): DirItem[] {
  return items
    .map((i) => i.name)
    .sort()
    .map((name) => ({ kind: "segment", text: name, name }));
}

interface Cached {
  stamp: string;
  items: Listing;
  usedAt: number;
}

export class ListingCache {
  private readonly big = new Set<string>();
  /** Insertion order is recency: a hit moves the entry to the end. */
  private readonly lists = new Map<string, Cached>();
  private total = 0;
  /** Listings served from the cache (tests assert that a walk reused one). */
  hits = 0;

  /**
   * `stat`: the directory's lstat fields taken just before (a walk's probe); `stampFirst`: stat it
   * first even if never seen big (a walk's start directory, read once per page). Otherwise
   * only directories seen big before are stat'ed.
   */
  async read(abs: string, guard: Guard, opts: { stat?: DirStamp; stampFirst?: boolean } = {}): Promise<Listing | null> {
    if (opts.stat === undefined && !opts.stampFirst && !this.big.has(abs)) {
      const items = await readListing(abs, guard);
      if (items !== null && items.length >= BIG_DIR) this.rememberBig(abs);
      return items;
    }
    const st = opts.stat ?? (await guard(() => lstat(abs, { bigint: true }).catch(nullIfMissing)));
    if (st === null) {
      this.drop(abs);
      return null;
    }
    const stamp = `${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
    const hit = this.lists.get(abs);
    if (hit !== undefined && hit.stamp === stamp) {
      this.lists.delete(abs);
      this.lists.set(abs, hit);
      hit.usedAt = Date.now();
      this.hits++;
      return hit.items;
    }
    const items = await readListing(abs, guard);
    this.drop(abs);
    const settled = BigInt(Date.now()) * 1_000_000n - SETTLE_MS * 1_000_000n;
    if (items !== null && items.length >= BIG_DIR && st.mtimeNs < settled) this.store(abs, { stamp, items, usedAt: Date.now() });
    return items;
  }

  private rememberBig(abs: string): void {
    if (this.big.size >= MAX_BIG_PATHS) this.big.clear();
    this.big.add(abs);
  }

  private store(abs: string, c: Cached): void {
    if (c.items.length > MAX_CACHED_ENTRIES) return;
    this.lists.set(abs, c);
    this.total += c.items.length;
    for (const [path, old] of this.lists) {
      if (this.total <= MAX_CACHED_ENTRIES) break;
      this.drop(path);
    }
    this.sweeper ??= setInterval(() => this.sweep(), IDLE_MS / 2);
    this.sweeper.unref?.(); // never keeps a process alive
  }

  private sweeper: ReturnType<typeof setInterval> | null = null;

  /** Drops listings idle for IDLE_MS (recency order: the idle ones come first). */
  private sweep(): void {
    for (const [path, c] of this.lists) {
      if (Date.now() - c.usedAt < IDLE_MS) break;
      this.drop(path);
    }
    if (this.lists.size === 0 && this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private drop(abs: string): void {
    const old = this.lists.get(abs);
    if (old === undefined) return;
    this.lists.delete(abs);
    this.total -= old.items.length;
  }
}

/** One cache per process: entries are keyed by absolute path and checked against the disk. */
export const listingCache = new ListingCache();

/** Drive roots whose filesystem was seen to count subdirectories in a directory's links. */
const countsSubdirs = new Set<string>();

/**
 * Does this filesystem keep a directory's link count at 2 + its subdirectories (ext4, xfs,
 * tmpfs do; btrfs reports 1)? Checked on the drive root, which always holds `.cairn.sys` and
 * the bucket directories, and remembered once confirmed.
 */
export async function linkCountsSubdirs(rootAbs: string, guard: Guard): Promise<boolean> {
  if (countsSubdirs.has(rootAbs)) return true;
  const [st, dirents] = await guard(() => Promise.all([lstat(rootAbs), readdir(rootAbs, { withFileTypes: true })]));
  const subdirs = dirents.filter((d) => d.isDirectory()).length;
  const after = await guard(() => lstat(rootAbs));
  // Equal link counts around the read: no directory came or went while it was counted.
  const ok = subdirs > 0 && st.nlink === after.nlink && st.nlink === 2 + subdirs;
  if (ok) countsSubdirs.add(rootAbs);
  return ok;
}

/** The last union built per first listing: a walk's pages reuse the same cached listings. */
const unions = new WeakMap<Listing, { parts: readonly (Listing | null)[]; union: Listing }>();

function sameNames(a: Listing, b: Listing): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name) return false;
  return true;
}

/**
 * One directory's listings on several drives as one (null: absent on all). Drives of a set
 * normally list the same names, and then the first listing is the union.
 */
export function unionListing(parts: readonly (Listing | null)[]): Listing | null {
  const present = parts.filter((l): l is Listing => l !== null);
  const first = present[0];
  if (first === undefined) return null;
  if (present.length === 1) return first;
  const memo = unions.get(first);
  if (memo && memo.parts.length === parts.length && memo.parts.every((l, i) => l === parts[i])) return memo.union;
  let union: Listing = first;
  if (!present.every((l) => sameNames(l, first))) {
    const byName = new Map<string, DirItem>();
    for (const l of present) for (const item of l) byName.set(item.name, item);
    union = [...byName.values()].sort(compareItems);
  }
  // Small listings are read afresh each time (not cached), so only big ones are remembered.
  if (first.length >= BIG_DIR) unions.set(first, { parts, union });
  return union;
}

/** First index whose text is ≥ `text` (key order), by binary search. */
export function lowerBound(list: Listing, text: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(list[mid]!.text, text) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
