/**
 * Listings walk only m + 1 drives of a set while those agree (walk-merge.ts). These tests put
 * the drives out of step in every combination and check the listing is what a walk of all
 * drives decides: 4 drives EC:2 (k = 2, listings walk 3). Each runs twice: with local drives,
 * whose m + 1 are walked together as one walk, and with fault-injecting drives, which are
 * walked one by one (a walk of several drives at once would read around their rules).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FaultyDrive, LocalDrive, type Drive } from "../storage/index";
import { body, bytes, meta, tempDrives } from "../../test/suites/helpers";
import { openErasureLayer, type ErasureLayer } from "./index";

const B = "bkt";
const KEYS = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, "0")}`);

function combos(size: number): number[][] {
  const out: number[][] = [];
  const pick = (c: number[], from: number) => {
    if (c.length === size) return void out.push(c);
    for (let i = from; i < 4; i++) pick([...c, i], i + 1);
  };
  pick([], 0);
  return out;
}

/** Calls of each walk method, summed over drives. */
type Calls = Map<string, number>;

/** A local drive whose walks are counted: drive by drive (walkBatches) and together (walkRoot). */
function counted(inner: LocalDrive, calls: Calls): Drive {
  return new Proxy(inner, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if ((name !== "walkBatches" && name !== "walkRoot") || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

interface Mode {
  name: string;
  /** The set's drive objects over these directories; `calls` counts their walks. */
  open(dirs: string[], calls: Calls): Promise<Drive[]>;
  /** The walk calls one listing on agreeing drives makes. */
  walksPerListing: Record<string, number>;
  /** Makes drive d's walks fail until the returned function is called. */
  breakWalks(drives: Drive[], dir: string, d: number): () => void;
}

const together: Mode = {
  name: "local drives, m + 1 walked together",
  open: (dirs, calls) => Promise.all(dirs.map(async (d) => counted(await LocalDrive.open(d), calls))),
  walksPerListing: { walkRoot: 3, walkBatches: 0 },
  // A real fault: an xl.meta that is a directory fails its read (EISDIR) on that drive only.
  breakWalks(_drives, dir, d) {
    const file = join(dir, B, "k04", "~xl.meta");
    const aside = `${file}.aside-${d}`;
    renameSync(file, aside);
    mkdirSync(file);
    return () => {
      rmSync(file, { recursive: true });
      renameSync(aside, file);
    };
  },
};

const oneByOne: Mode = {
  name: "fault-injecting drives, walked one by one",
  async open(dirs, calls) {
    return Promise.all(
      dirs.map(async (d) => {
        const f = new FaultyDrive(await LocalDrive.open(d));
        return new Proxy(f, {
          get(target, name, receiver) {
            if (name === "walkBatches") calls.set("walkBatches", (calls.get("walkBatches") ?? 0) + 1);
            if (name === "walkRoot") calls.set("walkRoot", (calls.get("walkRoot") ?? 0) + 1);
            return Reflect.get(target, name, receiver) as unknown;
          },
        });
      }),
    );
  },
  walksPerListing: { walkRoot: 3, walkBatches: 3 },
  breakWalks: (drives, _dir, d) => (drives[d] as FaultyDrive).inject({ at: ["walk"], effect: "Faulty" }),
};

for (const mode of [together, oneByOne]) {
  describe(`listing from m + 1 drives (${mode.name})`, () => {
    const t = tempDrives(4);
    const calls: Calls = new Map();
    let drives: Drive[] = [];
    let L: ErasureLayer;
    let aside: string;

    async function put(key: string, size: number, seed = 1): Promise<string> {
      return (await L.putObject(B, key, body(bytes(size, seed)), { size, metadata: meta(), versioning: "unversioned" })).etag;
    }

    async function listed(): Promise<string[]> {
      return (await L.listObjects(B)).objects.map((o) => o.key);
    }

    /** Moves a key's directory off the given drives for the duration of `fn`. */
    async function without(key: string, gone: number[], fn: () => Promise<void>): Promise<void> {
      for (const d of gone) renameSync(join(t.drives[d]!, B, key), join(aside, `${d}`));
      try {
        await fn();
      } finally {
        for (const d of gone) renameSync(join(aside, `${d}`), join(t.drives[d]!, B, key));
      }
    }

    beforeAll(async () => {
      drives = await mode.open(t.drives, calls);
      L = await openErasureLayer({ drives: t.drives, driveImpls: drives, parity: 2 });
      aside = mkdtempSync(join(t.root, "aside-"));
      await L.makeBucket(B);
      for (const k of KEYS) await put(k, 100);
    });
    afterAll(async () => {
      await L.close();
      t.cleanup();
    });

    test("a listing on agreeing drives walks m + 1 of them", async () => {
      calls.clear();
      expect(await listed()).toEqual(KEYS);
      expect(Object.fromEntries(Object.keys(mode.walksPerListing).map((k) => [k, calls.get(k) ?? 0]))).toEqual(mode.walksPerListing);
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

    test("a key whose sub-keys only some drives hold: each is listed where k drives hold it", async () => {
      // k06/a on drives 2 and 3 only: drive 0, walked first, has k06 as a leaf.
      await put("k06/a", 10);
      const gone = [0, 1].map((d) => join(t.drives[d]!, B, "k06", "a"));
      gone.forEach((p, i) => renameSync(p, join(aside, `sub${i}`)));
      try {
        expect(await listed()).toEqual([...KEYS.slice(0, 7), "k06/a", ...KEYS.slice(7)]);
      } finally {
        gone.forEach((p, i) => renameSync(join(aside, `sub${i}`), p));
        await L.deleteObject(B, "k06/a", { versioning: "unversioned" });
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
      for (let d = 0; d < 4; d++) {
        const repair = mode.breakWalks(drives, t.drives[d]!, d);
        try {
          expect(await listed()).toEqual(KEYS);
        } finally {
          repair();
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
}
