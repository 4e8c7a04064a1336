/**
 * A walk of several drives at once (walkVolumesBatches): every key any drive holds, in S3 order,
 * with each drive's xl.meta where it holds one, exactly what walking each drive on its own
 * and merging would give.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateObjectKey } from "../lib/index";
import { BIG_DIR } from "./dir-listing";
import { LocalDrive, walkVolumesBatches, type WalkOptions, type WalkRoot } from "./index";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

let root: string;
let drives: LocalDrive[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-walk-set-"));
  drives = await Promise.all([0, 1, 2].map((i) => LocalDrive.open(join(root, `d${i}`))));
});
afterAll(() => rm(root, { recursive: true, force: true }), 60_000);

/** Stores each key on the drives `on(key)` picks, its meta naming key and drive. */
async function store(volume: string, keys: string[], on: (key: string) => number[]): Promise<Map<string, number[]>> {
  const placed = new Map<string, number[]>();
  await Promise.all(drives.map((d) => d.makeVolume(volume)));
  for (let i = 0; i < keys.length; i += 16) {
    const jobs: Promise<void>[] = [];
    for (const k of keys.slice(i, i + 16)) {
      if (placed.has(k)) continue;
      placed.set(k, on(k));
      for (const d of placed.get(k)!) jobs.push(drives[d]!.writeMeta(volume, k, enc(`${k}@${d}`)));
    }
    await Promise.all(jobs);
  }
  return placed;
}

async function walked(volume: string, opts: WalkOptions = {}): Promise<[string, (string | null)[]][]> {
  const roots = (await Promise.all(drives.map((d) => d.walkRoot(volume)))) as WalkRoot[];
  const out: [string, (string | null)[]][] = [];
  for await (const batch of walkVolumesBatches(roots, opts)) for (const e of batch) out.push([e.key, e.metas.map(dec)]);
  return out;
}

function expected(placed: Map<string, number[]>, opts: WalkOptions = {}): [string, (string | null)[]][] {
  const keys = [...placed.keys()].filter((k) => k.startsWith(opts.prefix ?? "") && (opts.marker === undefined || byteOrder(k, opts.marker) > 0));
  return keys.sort(byteOrder).map((k) => [k, [0, 1, 2].map((d) => (placed.get(k)!.includes(d) ? `${k}@${d}` : null))]);
}

// A small alphabet makes shared prefixes likely: keys and "folders" that only some drives hold.
const ALPHABET = ["a", "b", "-", "/", "é", "😀"];
function randomKeys(count: number): string[] {
  const keys: string[] = [];
  while (keys.length < count) {
    let k = "";
    for (let i = 1 + Math.floor(Math.random() * 6); i > 0; i--) k += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
    if (validateObjectKey(k) === null) keys.push(k);
  }
  return keys;
}

/** One to three drives, at random. */
const someDrives = () => {
  const on = [0, 1, 2].filter(() => Math.random() < 0.6);
  return on.length > 0 ? on : [Math.floor(Math.random() * 3)];
};

test("keys held by any of the drives, each with every drive's xl.meta, in S3 order", async () => {
  const placed = await store("mixed", randomKeys(300), someDrives);
  expect(await walked("mixed")).toEqual(expected(placed));
  for (const k of [...placed.keys()].slice(0, 5)) {
    expect(await walked("mixed", { marker: k })).toEqual(expected(placed, { marker: k }));
    expect(await walked("mixed", { prefix: k.slice(0, 2) })).toEqual(expected(placed, { prefix: k.slice(0, 2) }));
  }
});

test("a big folder the drives list differently is walked whole, again from the cached listings", async () => {
  const keys = Array.from({ length: BIG_DIR + 200 }, (_, i) => `big/${String(i).padStart(5, "0")}`);
  // Most keys on every drive; every 7th misses drive 0, every 11th is on drive 2 only.
  const placed = await store("big", keys, (k) => {
    const i = Number(k.slice(4));
    return i % 11 === 0 ? [2] : i % 7 === 0 ? [1, 2] : [0, 1, 2];
  });
  const want = expected(placed);
  expect(await walked("big")).toEqual(want);
  expect(await walked("big")).toEqual(want);
  expect(await walked("big", { marker: "big/00700" })).toEqual(expected(placed, { marker: "big/00700" }));
  // Storing the folder is ~3,000 synced xl.meta writes: 3–5 s here with the disk busy writing
  // back, past bun's default 5 s. The timeout bounds a hang; it asserts no speed.
}, 60_000);

test("an empty xl.meta (an interrupted create) reads as absent on its drive", async () => {
  await Promise.all(drives.map((d) => d.makeVolume("empty")));
  await drives[0]!.writeMeta("empty", "k", new Uint8Array(0));
  await drives[1]!.writeMeta("empty", "k", enc("k@1"));
  await drives[0]!.writeMeta("empty", "only-empty", new Uint8Array(0));
  expect(await walked("empty")).toEqual([["k", [null, "k@1", null]]]);
});
