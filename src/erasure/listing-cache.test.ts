/**
 * The listing cache (listing-cache.ts) on a real layer over 4 temp drives EC:2: continuation
 * pages come from stored runs (fewer drive walks), and every write path that changes what a
 * listing shows makes the next page see the change. Each invalidation test first fills a run
 * that covers the whole namespace, so a missing bump would serve the old page.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FaultyDrive, LocalDrive } from "../storage/index";
import { body, bytes, meta, tempDrives } from "../../test/suites/helpers";
import type { ListObjectsResult } from "../object/index";
import { openErasureLayer, type ErasureLayer } from "./index";
import { ListingResults } from "./listing-cache";
import { listObjects } from "./listing";

const B = "bkt";
const B2 = "other";
const KEYS = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, "0")}`);
const PAGE = 5;

const t = tempDrives(4);
let faulty: FaultyDrive[] = [];
let L: ErasureLayer;

const walks = () => faulty.reduce((n, f) => n + (f.calls.get("walk") ?? 0), 0);

async function put(bucket: string, key: string, size = 100, seed = 1): Promise<string> {
  return (await L.putObject(bucket, key, body(bytes(size, seed)), { size, metadata: meta(), versioning: "unversioned" })).etag;
}

/** Every page of a listing, pages of PAGE. */
async function pages(bucket: string, opts: { prefix?: string; delimiter?: string } = {}): Promise<ListObjectsResult[]> {
  const out: ListObjectsResult[] = [];
  let marker: string | undefined;
  for (;;) {
    const r = await L.listObjects(bucket, { ...opts, maxKeys: PAGE, ...(marker !== undefined && { marker }) });
    out.push(r);
    if (!r.isTruncated) return out;
    marker = r.nextMarker;
  }
}

const keysOf = (rs: ListObjectsResult[]) => rs.flatMap((r) => r.objects.map((o) => o.key));

/** A full paginated listing (the run then covers the namespace), then the first page again. */
async function seeded(bucket = B): Promise<ListObjectsResult> {
  await pages(bucket);
  return L.listObjects(bucket, { maxKeys: PAGE });
}

/** The rest of a listing after `first`, and how many drive walks it took. */
async function rest(first: ListObjectsResult, bucket = B): Promise<{ keys: string[]; walked: number }> {
  const before = walks();
  const keys: string[] = [];
  let marker = first.nextMarker;
  while (marker !== undefined) {
    const r = await L.listObjects(bucket, { maxKeys: PAGE, marker });
    keys.push(...r.objects.map((o) => o.key));
    marker = r.isTruncated ? r.nextMarker : undefined;
  }
  return { keys, walked: walks() - before };
}

beforeAll(async () => {
  faulty = await Promise.all(t.drives.map(async (d) => new FaultyDrive(await LocalDrive.open(d))));
  L = await openErasureLayer({ drives: t.drives, driveImpls: faulty, parity: 2 });
  await L.makeBucket(B);
  await L.makeBucket(B2);
  for (const k of KEYS) {
    await put(B, k);
    await put(B2, k);
  }
});
afterAll(async () => {
  await L.close();
  t.cleanup();
});

describe("continuations from stored runs", () => {
  test("a second paginated listing walks the drives only for its first page", async () => {
    const first = await seeded();
    const { keys, walked } = await rest(first);
    expect([...first.objects.map((o) => o.key), ...keys]).toEqual(KEYS);
    expect(walked).toBe(0);
  });

  test("pages from the cache equal pages walked afresh, with a delimiter too", async () => {
    for (const k of ["d/a/1", "d/a/2", "d/b/1", "d/c", "d/e/1"]) await put(B, k);
    const cached = await pages(B, { prefix: "d/", delimiter: "/" });
    const again = await pages(B, { prefix: "d/", delimiter: "/" });
    const fresh = new ListingResults();
    const direct: ListObjectsResult[] = [];
    for (let marker: string | undefined; ; ) {
      const r = await listObjects(L.sets, B, { prefix: "d/", delimiter: "/", maxKeys: PAGE, ...(marker !== undefined && { marker }) }, fresh);
      direct.push(r);
      if (!r.isTruncated) break;
      marker = r.nextMarker;
    }
    const shape = (rs: ListObjectsResult[]) => rs.map((r) => [r.objects.map((o) => o.key), r.prefixes, r.isTruncated, r.nextMarker]);
    expect(shape(again)).toEqual(shape(cached));
    expect(shape(direct)).toEqual(shape(cached));
    expect(cached.flatMap((r) => [...r.objects.map((o) => o.key), ...r.prefixes]).sort()).toEqual(["d/a/", "d/b/", "d/c", "d/e/"]);
    for (const k of ["d/a/1", "d/a/2", "d/b/1", "d/c", "d/e/1"]) await L.deleteObject(B, k, { versioning: "unversioned" });
  });
});

describe("continuations walk ahead", () => {
  test("a continuation walks several pages at once; the next pages come from memory, a listing from the start walks one", async () => {
    const A = "ahead";
    const keys = Array.from({ length: 30 }, (_, i) => `a${String(i).padStart(2, "0")}`);
    await L.makeBucket(A);
    for (const k of keys) await put(A, k);
    const cache = new ListingResults();
    const seen: string[] = [];
    const walkedPerPage: number[] = [];
    for (let marker: string | undefined; ; ) {
      const before = walks();
      const r = await listObjects(L.sets, A, { maxKeys: PAGE, ...(marker !== undefined && { marker }) }, cache);
      walkedPerPage.push(walks() - before);
      seen.push(...r.objects.map((o) => o.key));
      if (!r.isTruncated) break;
      marker = r.nextMarker;
    }
    expect(seen).toEqual(keys);
    // Page 1 walks one page; page 2 walks four (pages 2-5), so pages 3-5 touch no drive.
    expect(walkedPerPage[0]).toBeGreaterThan(0);
    expect(walkedPerPage[1]).toBeGreaterThan(0);
    expect(walkedPerPage.slice(2, 5)).toEqual([0, 0, 0]);
    expect(walkedPerPage[5]).toBeGreaterThan(0);
    // A listing from the start still walks the drives (tampering behind the server's back shows).
    const before = walks();
    expect((await listObjects(L.sets, A, { maxKeys: PAGE }, cache)).objects.map((o) => o.key)).toEqual(keys.slice(0, PAGE));
    expect(walks()).toBeGreaterThan(before);
  });
});

describe("every change is seen by the next page", () => {
  test("a key written during a paginated listing, inside the stored run", async () => {
    const first = await seeded();
    await put(B, "k07a");
    const { keys, walked } = await rest(first);
    expect(keys).toContain("k07a");
    expect(walked).toBeGreaterThan(0);
    await L.deleteObject(B, "k07a", { versioning: "unversioned" });
  });

  test("an overwrite changes size and etag in the next page", async () => {
    const first = await seeded();
    const etag = await put(B, "k08", 333, 7);
    let marker = first.nextMarker;
    const seen = new Map<string, [number, string]>();
    while (marker !== undefined) {
      const r = await L.listObjects(B, { maxKeys: PAGE, marker });
      for (const o of r.objects) seen.set(o.key, [o.size, o.etag]);
      marker = r.isTruncated ? r.nextMarker : undefined;
    }
    expect(seen.get("k08")).toEqual([333, etag]);
    await put(B, "k08");
  });

  test("a delete, a copy and a completed multipart upload", async () => {
    let first = await seeded();
    await L.deleteObject(B, "k09", { versioning: "unversioned" });
    expect((await rest(first)).keys).not.toContain("k09");
    first = await seeded();
    await L.copyObject({ bucket: B, key: "k00" }, { bucket: B, key: "k09" }, { metadataDirective: "COPY", versioning: "unversioned" });
    expect((await rest(first)).keys).toContain("k09");
    first = await seeded();
    const id = await L.newMultipartUpload(B, "k10a", { metadata: meta() });
    const part = await L.putObjectPart(B, "k10a", id, 1, body(bytes(10, 3)), { size: 10 });
    await L.completeMultipartUpload(B, "k10a", id, [{ partNumber: 1, etag: part.etag }], { versioning: "unversioned" });
    expect((await rest(first)).keys).toContain("k10a");
    await L.deleteObject(B, "k10a", { versioning: "unversioned" });
  });

  test("versions: a delete marker hides the key, a new version shows its etag", async () => {
    const V = "versioned";
    await L.makeBucket(V);
    for (const k of KEYS) await L.putObject(V, k, body(bytes(10)), { size: 10, metadata: meta(), versioning: "enabled" });
    let first = await seeded(V);
    await L.deleteObject(V, "k06", { versioning: "enabled" });
    expect((await rest(first, V)).keys).not.toContain("k06");
    first = await seeded(V);
    const v2 = await L.putObject(V, "k07", body(bytes(20, 4)), { size: 20, metadata: meta(), versioning: "enabled" });
    const r = await L.listObjects(V, { maxKeys: PAGE, marker: first.nextMarker! });
    expect(r.objects.find((o) => o.key === "k07")?.etag).toBe(v2.etag);
  });

  test("a write to one bucket leaves the other bucket's runs in use", async () => {
    const first = await seeded(B);
    const first2 = await seeded(B2);
    await put(B, "k06a");
    const mine = await rest(first, B);
    const other = await rest(first2, B2);
    expect(mine.keys).toContain("k06a");
    expect(other.keys).toEqual(KEYS.slice(PAGE));
    expect(other.walked).toBe(0);
    await L.deleteObject(B, "k06a", { versioning: "unversioned" });
  });

  test("a bucket deleted and made again lists only its new keys", async () => {
    const R = "recreated";
    await L.makeBucket(R);
    for (const k of KEYS) await put(R, k);
    const first = await seeded(R);
    for (const k of KEYS) await L.deleteObject(R, k, { versioning: "unversioned" });
    await L.deleteBucket(R);
    await L.makeBucket(R);
    for (const k of ["k05a", "k11a"]) await put(R, k);
    const r = await L.listObjects(R, { maxKeys: PAGE, marker: first.nextMarker! });
    expect(r.objects.map((o) => o.key)).toEqual(["k05a", "k11a"]);
  });

  test("a heal drops the bucket's runs (it can change what quorum decides): the next page walks", async () => {
    const first = await seeded();
    const before = (await rest(first)).keys;
    expect(before).toContain("k11");
    await L.healObject(B, "k11");
    expect((await rest(first)).walked).toBeGreaterThan(0);
  });
});

describe("bounds", () => {
  test("items are served only while younger than the age limit", async () => {
    let now = 0;
    const cache = new ListingResults({ maxItems: 1000, maxAgeMs: 30_000 }, () => now);
    const list = (marker?: string) => listObjects(L.sets, B, { maxKeys: PAGE, ...(marker !== undefined && { marker }) }, cache);
    let marker: string | undefined;
    for (let r = await list(); r.isTruncated; r = await list(marker)) marker = r.nextMarker;
    const first = await list();
    const before = walks();
    await list(first.nextMarker);
    expect(walks()).toBe(before);
    now += 30_001;
    await list(first.nextMarker);
    expect(walks()).toBeGreaterThan(before);
  });

  test("held items stay under the cap, the most recent run kept", async () => {
    const cache = new ListingResults({ maxItems: 8, maxAgeMs: 60_000 });
    const q = { prefix: "", delimiter: undefined };
    const items = (p: string, n: number) => Array.from({ length: n }, (_, i) => ({ name: `${p}${i}` }));
    for (const p of ["a", "b", "c"]) cache.store(B, { ...q, prefix: p }, { gen: cache.generation(B), from: undefined, items: items(p, 5), done: true });
    expect(cache.size).toBeLessThanOrEqual(8);
    expect(cache.read(B, { ...q, prefix: "c" }, "c0", 10)?.items.map((i) => i.name)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(cache.read(B, { ...q, prefix: "a" }, "a0", 10)).toBeNull();
  });

  test("a walk that began before a bump is not stored", () => {
    const cache = new ListingResults();
    const q = { prefix: "", delimiter: undefined };
    const gen = cache.generation(B);
    cache.bump(B);
    cache.store(B, q, { gen, from: undefined, items: [{ name: "x" }, { name: "y" }], done: true });
    expect(cache.read(B, q, "x", 10)).toBeNull();
    expect(cache.size).toBe(0);
  });
});

describe("concurrent listers", () => {
  test("listings from the start arriving together share one walk, but not one begun before a write", async () => {
    const before = walks();
    const pages = await Promise.all(Array.from({ length: 8 }, () => L.listObjects(B, { maxKeys: PAGE })));
    for (const p of pages) expect(p.objects.map((o) => o.key)).toEqual(KEYS.slice(0, PAGE));
    expect(walks() - before).toBe(3);
    // A walk still in flight when a write bumps the bucket is not offered to later listers.
    const cache = new ListingResults();
    const q = { prefix: "", delimiter: undefined };
    const pending = new Promise<never>(() => undefined);
    cache.track(B, q, { gen: cache.generation(B), from: undefined, walk: pending });
    expect(cache.walking(B, q, undefined)).toBe(pending);
    cache.bump(B);
    expect(cache.walking(B, q, undefined)).toBeUndefined();
  });

  test("eight listers paging side by side walk each continuation once, and all see every key", async () => {
    await L.listObjects(B, { maxKeys: 1 }); // any write since would have voided the runs: start clean
    const firsts = await Promise.all(Array.from({ length: 8 }, () => L.listObjects(B, { maxKeys: 2 })));
    const before = walks();
    const all = await Promise.all(
      firsts.map(async (first) => {
        const keys = first.objects.map((o) => o.key);
        for (let marker = first.nextMarker; marker !== undefined; ) {
          const r = await L.listObjects(B, { maxKeys: 2, marker });
          keys.push(...r.objects.map((o) => o.key));
          marker = r.isTruncated ? r.nextMarker : undefined;
        }
        return keys;
      }),
    );
    for (const keys of all) expect(keys).toEqual(KEYS);
    // 5 more pages of 2 after the first; one lister's walks alone would be 5 × 3 drives.
    expect(walks() - before).toBeLessThanOrEqual(5 * 3);
  });
});
