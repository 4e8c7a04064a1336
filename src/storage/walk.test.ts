import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareKeys, validateObjectKey } from "../lib/index";
import { BIG_DIR, listingCache } from "./dir-listing";
import { probeCount } from "./probe-workers";
import { LocalDrive } from "./index";

const enc = (s: string) => new TextEncoder().encode(s);
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

let root: string;
let drive: LocalDrive;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-walk-"));
  drive = await LocalDrive.open(root);
});
afterAll(() => rm(root, { recursive: true, force: true }), 60_000);

async function walkKeys(volume: string, prefix?: string, marker?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of drive.walk(volume, { prefix, marker })) {
    expect(new TextDecoder().decode(e.meta)).toBe(`meta:${e.key}`);
    out.push(e.key);
  }
  return out;
}

async function store(volume: string, keys: string[]): Promise<string[]> {
  await drive.makeVolume(volume);
  // Concurrency keeps the fsync-bound setup short; the drive must cope with shared parents.
  for (let i = 0; i < keys.length; i += 16) {
    await Promise.all(keys.slice(i, i + 16).map((k) => drive.writeMeta(volume, k, enc(`meta:${k}`))));
  }
  return [...new Set(keys)].sort(byteOrder);
}

function expected(sorted: string[], prefix = "", marker?: string): string[] {
  return sorted.filter((k) => k.startsWith(prefix) && (marker === undefined || byteOrder(k, marker) > 0));
}

// A small alphabet makes shared prefixes (and so ordering traps) likely.
const ALPHABET = ["a", "b", "-", ".", "/", "~", "%", "é", "\uffee", "😀", "0"];
function randomKey(): string {
  const long = Math.random() < 0.15;
  const n = long ? 180 + Math.floor(Math.random() * 80) : 1 + Math.floor(Math.random() * 7);
  let k = "";
  for (let i = 0; i < n; i++) {
    const c = long && Math.random() < 0.9 ? "a" : ALPHABET[Math.floor(Math.random() * ALPHABET.length)]!;
    k += c;
  }
  return k;
}

function randomKeys(count: number): string[] {
  const keys: string[] = [];
  while (keys.length < count) {
    const k = randomKey();
    if (validateObjectKey(k) === null) keys.push(k);
  }
  return keys;
}

describe("walk order", () => {
  test("'-' sorts before '/': ab, ab-c, ab/x", async () => {
    await store("trap", ["ab/x", "ab-c", "ab"]);
    expect(await walkKeys("trap")).toEqual(["ab", "ab-c", "ab/x"]);
  });

  test("long segments split into pieces interleave correctly", async () => {
    const a200 = "a".repeat(200);
    const keys = [a200, a200 + "a", a200 + "-", a200 + "/x", a200 + "b/c", "a".repeat(199) + "~", a200 + "aa".repeat(200), a200 + "/", "a"];
    const sorted = await store("long", keys);
    expect(await walkKeys("long")).toEqual(sorted);
    expect(await walkKeys("long", a200)).toEqual(expected(sorted, a200));
    expect(await walkKeys("long", "", a200 + "-")).toEqual(expected(sorted, "", a200 + "-"));
  });

  for (let round = 0; round < 3; round++) {
    test(`random key set ${round} matches a brute-force byte sort, with prefixes and markers`, async () => {
      const keys = randomKeys(150);
      const sorted = await store(`rand${round}`, keys);
      expect(await walkKeys(`rand${round}`)).toEqual(sorted);
      for (let q = 0; q < 40; q++) {
        const pick = sorted[Math.floor(Math.random() * sorted.length)]!;
        const cps = [...pick];
        const prefix = q % 3 === 0 ? "" : cps.slice(0, Math.floor(Math.random() * (cps.length + 1))).join("");
        const other = [...sorted[Math.floor(Math.random() * sorted.length)]!]; // code points: no lone surrogates
        // Markers: absent, a full key, or a cut anywhere (also inside a long segment's pieces).
        const marker = q % 2 === 0 ? undefined : q % 4 === 1 ? other.join("") : other.slice(0, 1 + Math.floor(Math.random() * other.length)).join("");
        expect(await walkKeys(`rand${round}`, prefix, marker)).toEqual(expected(sorted, prefix, marker));
      }
    });
  }

  test("compareKeys agrees with the walk's byte order", () => {
    const keys = randomKeys(300);
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort(byteOrder));
  });
});

describe("walk edges", () => {
  test("missing volume, empty volume, prefix without objects", async () => {
    const err = await (async () => {
      for await (const _ of drive.walk("absent")) return null;
      return null;
    })().catch((e) => e);
    expect(err?.kind).toBe("VolumeNotFound");
    await drive.makeVolume("empty");
    expect(await walkKeys("empty")).toEqual([]);
    expect(await walkKeys("empty", "x/y/")).toEqual([]);
  });

  test("stopping early is fine and foreign or internal entries are not objects", async () => {
    await store("foreign", ["k1", "k2", "k3/x"]);
    await writeFile(join(root, "foreign", "stray-file"), "x");
    await mkdir(join(root, "foreign", ".hidden"), { recursive: true });
    await writeFile(join(root, "foreign", ".hidden", "~xl.meta"), "x");
    await mkdir(join(root, "foreign", "%41"), { recursive: true }); // non-canonical spelling of "A"
    await writeFile(join(root, "foreign", "%41", "~xl.meta"), "x");
    const outside = await mkdtemp(join(tmpdir(), "cairn-outside-"));
    await mkdir(join(outside, "leak"), { recursive: true });
    await writeFile(join(outside, "leak", "~xl.meta"), "meta:leak");
    await symlink(join(outside, "leak"), join(root, "foreign", "leak"));
    expect(await walkKeys("foreign")).toEqual(["k1", "k2", "k3/x"]);
    for await (const e of drive.walk("foreign")) {
      expect(e.key).toBe("k1");
      break;
    }
    await rm(outside, { recursive: true, force: true });
  });
});

describe("big directories (sorted listing cache)", () => {
  const HOUR_AGO = new Date(Date.now() - 3600_000);
  const N = BIG_DIR + 100;

  /** Writes objects the way the drive lays them out, without an fsync each. */
  async function rawStore(volume: string, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 64) {
      await Promise.all(
        keys.slice(i, i + 64).map(async (k) => {
          const dir = join(root, volume, ...k.split("/"));
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, "~xl.meta"), `meta:${k}`);
        }),
      );
    }
  }

  test("pages after markers, and changes after the listing was cached, match a brute-force sort", async () => {
    await drive.makeVolume("big");
    // Traps around one name: `f/77-` sorts before `f/77/a`, and `f/77` holds both.
    const keys = [...Array.from({ length: N }, (_, i) => `f/${i}`), "f/77-", "f/77/a", "f/77/b/c"];
    await rawStore("big", keys);
    await utimes(join(root, "big", "f"), HOUR_AGO, HOUR_AGO);
    let sorted = [...keys].sort(byteOrder);
    for (let pass = 0; pass < 3; pass++) expect(await walkKeys("big", "f/")).toEqual(sorted);
    const hits = listingCache.hits;
    for (const marker of ["f/0", "f/5", "f/77", "f/77-", "f/77/", "f/77/a", "f/999", "f/9999", "f/"]) {
      expect(await walkKeys("big", "f/", marker)).toEqual(expected(sorted, "f/", marker));
    }
    expect(listingCache.hits).toBeGreaterThan(hits);

    await drive.writeMeta("big", "f/500x", enc("meta:f/500x"));
    await drive.deleteObject("big", "f/501");
    sorted = [...sorted.filter((k) => k !== "f/501"), "f/500x"].sort(byteOrder);
    expect(await walkKeys("big", "f/", "f/4")).toEqual(expected(sorted, "f/", "f/4"));
  });

  test("a change that restores the old mtime is still seen (ctime is part of the check)", async () => {
    await drive.makeVolume("big2");
    const keys = Array.from({ length: N }, (_, i) => `g/${i}`);
    await rawStore("big2", keys);
    const dir = join(root, "big2", "g");
    await utimes(dir, HOUR_AGO, HOUR_AGO);
    for (let pass = 0; pass < 3; pass++) await walkKeys("big2");
    await rawStore("big2", ["g/new"]);
    await utimes(dir, HOUR_AGO, HOUR_AGO);
    expect(await walkKeys("big2")).toEqual([...keys, "g/new"].sort(byteOrder));
  });

  test("a directory changed within the last moments is read afresh, not cached", async () => {
    await drive.makeVolume("big3");
    const keys = Array.from({ length: N }, (_, i) => `h/${i}`);
    await rawStore("big3", keys);
    const hits = listingCache.hits;
    for (let pass = 0; pass < 3; pass++) expect(await walkKeys("big3")).toEqual([...keys].sort(byteOrder));
    expect(listingCache.hits).toBe(hits);
  });
});

describe("read-ahead", () => {
  test("a walk reads ahead a bounded distance past the keys the caller expects, and walks on past them", async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `ra/${String(i).padStart(5, "0")}`);
    await store("readahead", keys);
    const before = probeCount.dirs;
    const taken: string[] = [];
    for await (const e of drive.walk("readahead", { prefix: "ra/", expect: 1001 })) {
      taken.push(e.key);
      if (taken.length === 1001) break;
    }
    expect(taken).toEqual(keys.slice(0, 1001));
    // The walk hands out up to 256 keys it has read before the caller stops it, and reads two
    // first-size batches (64) past those; unbounded, its batches grew to reach 512 past them
    // (1,504 probes here when measured, against 1,120 with the hint).
    expect(probeCount.dirs - before).toBeLessThanOrEqual(1001 + 256 + 128);
    // The hint bounds read-ahead, not the walk: a caller that takes more gets every key.
    const all: string[] = [];
    for await (const e of drive.walk("readahead", { prefix: "ra/", expect: 5 })) all.push(e.key);
    expect(all).toEqual(keys);
  });
});
