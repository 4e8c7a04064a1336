/**
 * Listings walk only m + 1 drives of a set while those agree (walk-merge.ts). These tests put
 * the drives out of step in every combination and check the listing is what a walk of all
 * drives decides: 4 drives EC:2 (k = 2, listings walk 3).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, renameSync } from "node:fs";
import { join } from "node:path";
import { FaultyDrive, LocalDrive } from "../storage/index";
import { body, bytes, meta, tempDrives } from "../../test/suites/helpers";
import { openErasureLayer, type ErasureLayer } from "./index";

const B = "bkt";
const KEYS = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, "0")}`);

const t = tempDrives(4);
let faulty: FaultyDrive[] = [];
let L: ErasureLayer;
let aside: string;

async function put(key: string, size: number, seed = 1): Promise<string> {
  return (await L.putObject(B, key, body(bytes(size, seed)), { size, metadata: meta(), versioning: "unversioned" })).etag;
}

async function listed(): Promise<string[]> {
  return (await L.listObjects(B)).objects.map((o) => o.key);
}

/** Moves a key's directory off the given drives for the duration of `fn`. */
async function without(key: string, drives: number[], fn: () => Promise<void>): Promise<void> {
  for (const d of drives) renameSync(join(t.drives[d]!, B, key), join(aside, `${d}`));
  try {
    await fn();
  } finally {
    for (const d of drives) renameSync(join(aside, `${d}`), join(t.drives[d]!, B, key));
  }
}

function combos(size: number): number[][] {
  const out: number[][] = [];
  const pick = (c: number[], from: number) => {
    if (c.length === size) return void out.push(c);
    for (let i = from; i < 4; i++) pick([...c, i], i + 1);
  };
  pick([], 0);
  return out;
}

const walks = () => faulty.reduce((n, f) => n + (f.calls.get("walk") ?? 0), 0);

beforeAll(async () => {
  faulty = await Promise.all(t.drives.map(async (d) => new FaultyDrive(await LocalDrive.open(d))));
  L = await openErasureLayer({ drives: t.drives, driveImpls: faulty, parity: 2 });
  aside = mkdtempSync(join(t.root, "aside-"));
  await L.makeBucket(B);
  for (const k of KEYS) await put(k, 100);
});
afterAll(async () => {
  await L.close();
  t.cleanup();
});

describe("listing from m + 1 drives", () => {
  test("a listing on agreeing drives walks m + 1 of them", async () => {
    const before = walks();
    expect(await listed()).toEqual(KEYS);
    expect(walks() - before).toBe(3);
  });

  test("a key on only k drives (any two) is listed, with every later key", async () => {
    for (const keep of combos(2)) {
      const gone = [0, 1, 2, 3].filter((d) => !keep.includes(d));
      await without("k03", gone, async () => expect(await listed()).toEqual(KEYS));
    }
  });

  test("a leftover on fewer than k drives (any one) is not listed", async () => {
    for (const keep of combos(1)) {
      const gone = [0, 1, 2, 3].filter((d) => !keep.includes(d));
      await without("k05", gone, async () => expect(await listed()).toEqual(KEYS.filter((k) => k !== "k05")));
    }
  });

  test("a drive holding an older version: the agreed version is listed, on every drive", async () => {
    await put("v", 10, 1);
    const old = join(aside, "old-xl.meta");
    copyFileSync(join(t.drives[0]!, B, "v", "~xl.meta"), old);
    const etag = await put("v", 20, 2);
    for (let d = 0; d < 4; d++) {
      const file = join(t.drives[d]!, B, "v", "~xl.meta");
      const current = join(aside, "current-xl.meta");
      copyFileSync(file, current);
      copyFileSync(old, file); // drive d goes stale
      try {
        const o = (await L.listObjects(B, { prefix: "v" })).objects;
        expect(o.map((x) => [x.key, x.size, x.etag])).toEqual([["v", 20, etag]]);
        const v = (await L.listObjectVersions(B, { prefix: "v" })).versions;
        expect(v.map((x) => x.size)).toEqual([20]);
      } finally {
        copyFileSync(current, file);
      }
    }
    await L.deleteObject(B, "v", { versioning: "unversioned" });
  });

  test("a drive whose walk fails (any one): the listing is complete", async () => {
    for (const f of faulty) {
      const remove = f.inject({ at: ["walk"], effect: "Faulty" });
      try {
        expect(await listed()).toEqual(KEYS);
      } finally {
        remove();
      }
    }
  });

  test("pages resumed after a marker agree with one full listing while a drive lacks keys", async () => {
    await without("k07", [1], async () => {
      const seen: string[] = [];
      let marker: string | undefined;
      for (;;) {
        const r = await L.listObjects(B, { maxKeys: 5, ...(marker !== undefined && { marker }) });
        seen.push(...r.objects.map((o) => o.key));
        if (!r.isTruncated) break;
        marker = r.nextMarker;
      }
      expect(seen).toEqual(KEYS);
    });
  });
});
