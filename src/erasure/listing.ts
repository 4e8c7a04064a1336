/**
 * ListObjects / ListObjectVersions over the merged walk. A key counts when its latest version
 * is agreed by at least the read quorum (k) of the set's drives. Why k and not "any drive": a
 * drive that was offline during a DELETE keeps a stale copy, but a successful delete reached
 * write quorum, so fewer than k drives can hold such a leftover; requiring k hides it, and
 * everything listed is also readable by GET. Delete markers hide a key from ListObjects.
 * ListObjects pages are kept for their continuations (listing-cache.ts); versions are walked.
 */
import type {
  ListObjectsOptions,
  ListObjectsResult,
  ListVersionsOptions,
  ListVersionsResult,
  ObjectInfo,
} from "../object/index";
import { compareKeys } from "../lib/index";
import type { ObjectVersionMeta, XlMeta } from "../xlmeta/index";
import { nanosToDate, toObjectInfo } from "./info";
import { readQuorumOf, versionSignature } from "./meta-read";
import type { ListingResults, ListItem, ListQuery } from "./listing-cache";
import type { ErasureSet } from "./set";
import { SkippingWalk, type MergedEntry } from "./walk-merge";

/** The full xl.meta most drives agree on (by latest version), or null when below quorum. */
export function agreedMeta(set: ErasureSet, metas: (XlMeta | null)[]): XlMeta | null {
  const groups = new Map<string, { meta: XlMeta; n: number }>();
  for (const m of metas) {
    const v = m?.versions[0];
    if (!m || !v) continue;
    const sig = versionSignature(v);
    const g = groups.get(sig) ?? { meta: m, n: 0 };
    g.n++;
    groups.set(sig, g);
  }
  let best: { meta: XlMeta; n: number } | null = null;
  for (const g of groups.values()) {
    if (!best || g.n > best.n || (g.n === best.n && g.meta.versions[0]!.modTime > best.meta.versions[0]!.modTime)) best = g;
  }
  if (!best || best.n < readQuorumOf(set, best.meta.versions[0]!)) return null;
  return best.meta;
}

/**
 * Keys under an already-returned common prefix are skipped one by one for a while (cheap for
 * small folders), then the walk jumps past the whole prefix (cheap for big ones).
 */
const SKIP_BEFORE_JUMP = 16;

class PrefixSkipper {
  private count = 0;
  constructor(private readonly walk: SkippingWalk) {}
  /** Null while skipping one by one; the jump otherwise. */
  skipped(cp: string): Promise<void> | null {
    if (++this.count < SKIP_BEFORE_JUMP) return null;
    this.count = 0;
    return this.walk.skipPast(cp);
  }
  reset(): void {
    this.count = 0;
  }
}

function commonPrefix(key: string, prefix: string, delimiter: string | undefined): string | null {
  if (!delimiter) return null;
  const i = key.indexOf(delimiter, prefix.length);
  return i < 0 ? null : key.slice(0, i + delimiter.length);
}

/** Shared paging state: objects/versions and prefixes both count towards maxKeys. */
class Page<T> {
  items: T[] = [];
  prefixes: string[] = [];
  truncated = false;
  constructor(readonly max: number) {}
  get full(): boolean {
    return this.items.length + this.prefixes.length >= this.max;
  }
}

function entryPrefix(e: MergedEntry, prefix: string, delimiter: string | undefined, marker: string | undefined) {
  const cp = commonPrefix(e.key, prefix, delimiter);
  // A prefix already returned (it is the marker, or sorts before it) is not repeated.
  const skip = cp !== null && marker !== undefined && compareKeys(cp, marker) <= 0;
  return { cp, skip };
}

/** Shared by every listed object: a listing carries no user metadata (S3's does not either). */
const NO_METADATA: ObjectInfo["metadata"] = Object.freeze({ user: Object.freeze({}) });

/**
 * What ListObjects shows of an object: no parts and no metadata, which a listing never
 * returns and which made a cached entry ~810 bytes instead of ~540.
 */
function listedInfo(bucket: string, key: string, v: ObjectVersionMeta): ObjectInfo {
  const info: ObjectInfo = {
    bucket,
    key,
    versionId: v.versionId,
    isLatest: true,
    deleteMarker: false,
    size: v.size,
    etag: v.etag,
    modTime: nanosToDate(v.modTime),
    metadata: NO_METADATA,
    storageClass: v.storageClass,
  };
  if (v.checksums) info.checksums = v.checksums;
  if (v.checksumType) info.checksumType = v.checksumType;
  return info;
}

interface Walked {
  items: ListItem[];
  /** The walk ran out of keys before `want` items. */
  done: boolean;
}

/** The first `want` items after `marker` (objects and common prefixes), walked from the drives. */
async function walkItems(sets: readonly ErasureSet[], bucket: string, q: ListQuery & { marker: string | undefined }, want: number): Promise<Walked> {
  const items: ListItem[] = [];
  let last: string | undefined;
  let done = true;
  // Without a delimiter every key walked is an item: the walk need not read far past want + 1.
  const expect = q.delimiter === undefined ? { expect: want + 1 } : {};
  const walk = new SkippingWalk(sets, bucket, { prefix: q.prefix, quorum: true, ...expect, ...(q.marker !== undefined ? { marker: q.marker } : {}) });
  const skipper = new PrefixSkipper(walk);
  try {
    // Entries of a batch come without an await (a microtask per key adds up).
    for (let step = walk.next(); ; step = walk.next()) {
      const e = step instanceof Promise ? await step : step;
      if (e === null) break;
      const { cp, skip } = entryPrefix(e, q.prefix, q.delimiter, q.marker);
      if (skip || (cp !== null && cp === last)) {
        const jump = skipper.skipped(cp!);
        if (jump !== null) await jump;
        continue;
      }
      skipper.reset();
      const meta = e.agreed ?? agreedMeta(e.set, e.metas);
      const latest = meta?.versions[0];
      if (!latest || latest.type === "deleteMarker") continue;
      if (items.length >= want) {
        done = false;
        break;
      }
      items.push(cp !== null ? { name: cp } : { name: e.key, info: listedInfo(bucket, e.key, latest) });
      last = cp ?? e.key;
    }
  } finally {
    await walk.close();
  }
  return { items, done };
}

/** Waits for another lister's walk at most this often per page before walking itself. */
const MAX_WAITS = 4;

/**
 * A continuation walks this many pages' worth and keeps the rest for the next pages: a client
 * that asked for a second page usually asks for more, and every walk pays a start (a seek and
 * a merge set up per drive) and reads ahead of what it hands out. A listing from the start
 * walks one page only.
 */
const CONTINUATION_PAGES = 4;

/**
 * `want` items after `marker`. A continuation takes what a stored run holds and walks only
 * past the run's end; a listing from the start walks. Listers needing the same walk share it
 * while it is in flight, if it began after the bucket's last change (concurrent clients
 * starting a listing at once walk once). Walks are stored for the next pages (listing-cache.ts).
 */
async function gather(sets: readonly ErasureSet[], bucket: string, q: ListQuery & { marker: string | undefined }, want: number, cache: ListingResults): Promise<ListItem[]> {
  for (let waits = 0; ; ) {
    const gen = cache.generation(bucket);
    const hit = q.marker !== undefined ? cache.read(bucket, q, q.marker, want) : null;
    const page = hit?.items ?? [];
    if (page.length >= want || hit?.done) return page;
    const from = hit ? hit.end : q.marker;
    const need = want - page.length;
    const other = cache.walking(bucket, q, from);
    if (other !== undefined && waits++ < MAX_WAITS) {
      const shared = await other.catch(() => null);
      if (shared !== null && (shared.done || shared.items.length >= need)) return page.concat(shared.items.slice(0, need));
      continue;
    }
    // Stored before the promise settles, so a lister awaiting it finds the items.
    const walk = walkItems(sets, bucket, { ...q, marker: from }, q.marker === undefined ? need : need * CONTINUATION_PAGES).then((walked) => {
      cache.store(bucket, q, { gen, from, ...walked });
      return walked;
    });
    cache.track(bucket, q, { gen, from, walk });
    return page.concat((await walk).items.slice(0, need));
  }
}

/** One page: `max` items and whether more follow, so `max + 1` are gathered. */
export async function listObjects(
  sets: readonly ErasureSet[],
  bucket: string,
  opts: ListObjectsOptions = {},
  cache?: ListingResults,
): Promise<ListObjectsResult> {
  const q = { prefix: opts.prefix ?? "", delimiter: opts.delimiter, marker: opts.marker };
  const max = opts.maxKeys ?? 1000;
  if (max <= 0) return { objects: [], prefixes: [], isTruncated: false };
  const page = cache ? await gather(sets, bucket, q, max + 1, cache) : (await walkItems(sets, bucket, q, max + 1)).items;
  const out: ListObjectsResult = { objects: [], prefixes: [], isTruncated: page.length > max };
  for (const item of page.slice(0, max)) {
    if (item.info) out.objects.push(item.info);
    else out.prefixes.push(item.name);
  }
  if (out.isTruncated) out.nextMarker = page[max - 1]!.name;
  return out;
}

function versionIdOf(v: ObjectInfo): string {
  return v.versionId ?? "null";
}

/** Emits the versions of one key after `afterVersion` (when given); false when the page filled. */
function pushVersions(page: Page<ObjectInfo>, bucket: string, e: { key: string; meta: XlMeta }, afterVersion?: string): boolean {
  let started = afterVersion === undefined;
  for (let i = 0; i < e.meta.versions.length; i++) {
    const info = toObjectInfo({ bucket, key: e.key }, e.meta.versions[i]!, i === 0);
    if (!started) {
      started = versionIdOf(info) === afterVersion;
      continue;
    }
    if (page.full) {
      page.truncated = true;
      return false;
    }
    page.items.push(info);
  }
  return true;
}

export async function listObjectVersions(
  sets: readonly ErasureSet[],
  bucket: string,
  opts: ListVersionsOptions & { first?: { key: string; meta: XlMeta | null } },
): Promise<ListVersionsResult> {
  const prefix = opts.prefix ?? "";
  const page = new Page<ObjectInfo>(opts.maxKeys ?? 1000);
  if (page.max <= 0) return { versions: [], prefixes: [], isTruncated: false };
  let last: string | undefined;
  let open = true;
  // The key marker itself, resumed after a version id marker (the walk's marker is exclusive).
  if (opts.first?.meta && opts.versionIdMarker !== undefined) {
    open = pushVersions(page, bucket, { key: opts.first.key, meta: opts.first.meta }, opts.versionIdMarker);
    last = opts.first.key;
  }
  const walkOpts = { prefix, quorum: true, ...(opts.keyMarker !== undefined ? { marker: opts.keyMarker } : {}) };
  const walk = new SkippingWalk(sets, bucket, walkOpts);
  const skipper = new PrefixSkipper(walk);
  try {
    for (let step = open ? walk.next() : null; ; step = walk.next()) {
      const e = step instanceof Promise ? await step : step;
      if (e === null) break;
      const { cp, skip } = entryPrefix(e, prefix, opts.delimiter, opts.keyMarker);
      if (skip || (cp !== null && cp === last)) {
        const jump = skipper.skipped(cp!);
        if (jump !== null) await jump;
        continue;
      }
      skipper.reset();
      const meta = e.agreed ?? agreedMeta(e.set, e.metas);
      if (!meta) continue;
      if (cp !== null) {
        if (page.full) {
          page.truncated = true;
          break;
        }
        page.prefixes.push(cp);
        last = cp;
        continue;
      }
      last = e.key;
      if (!pushVersions(page, bucket, { key: e.key, meta })) break;
    }
  } finally {
    await walk.close();
  }
  return versionsResult(page);
}

/** The page with its resume markers: after the last version, or after the last prefix. */
function versionsResult(page: Page<ObjectInfo>): ListVersionsResult {
  const out: ListVersionsResult = { versions: page.items, prefixes: page.prefixes, isTruncated: page.truncated };
  if (!page.truncated) return out;
  const lastItem = page.items[page.items.length - 1];
  const lastPrefix = page.prefixes[page.prefixes.length - 1];
  if (lastItem && (!lastPrefix || compareKeys(lastItem.key, lastPrefix) > 0)) {
    out.nextKeyMarker = lastItem.key;
    out.nextVersionIdMarker = versionIdOf(lastItem);
  } else if (lastPrefix) {
    out.nextKeyMarker = lastPrefix;
  }
  return out;
}
