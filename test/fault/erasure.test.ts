/**
 * Fault tests of the erasure layer on real temp drives: lost drives, bitrot, quorum loss,
 * replaced (empty) drives, EIO drives, stale drives. 4 drives EC:2 and 8 drives EC:4.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openErasureLayer, type ErasureLayer } from "../../src/erasure/index";
import { FaultyDrive, LocalDrive } from "../../src/storage/index";
import { decodeXlMeta, type ObjectVersionMeta } from "../../src/xlmeta/index";
import { body, bytes, collect, md5, meta, rejectsWith, tempDrives } from "../suites/helpers";

const MiB = 1 << 20;
const B = "bkt";

for (const [n, m] of [
  [4, 2],
  [8, 4],
] as const) {
  describe(`erasure faults, ${n} drives EC:${m}`, () => {
    const t = tempDrives(n);
    let faulty: FaultyDrive[] = [];
    let L: ErasureLayer;
    const sums = new Map<string, string>();

    async function open(): Promise<void> {
      faulty = await Promise.all(t.drives.map(async (d) => new FaultyDrive(await LocalDrive.open(d))));
      // The faults are made behind the layer's back, and these tests check what reads then find
      // on disk: xl.meta read a moment ago must not stand in for it (meta-cache.test.ts tests that).
      L = await openErasureLayer({ drives: t.drives, driveImpls: faulty, parity: m, metaFreshMs: 0 });
    }
    async function put(key: string, data: Uint8Array): Promise<void> {
      await L.putObject(B, key, body(data), { size: data.length, metadata: meta(), versioning: "unversioned" });
      sums.set(key, md5(data));
    }
    async function readsBackIdentical(): Promise<void> {
      for (const [key, sum] of sums) expect(md5(await collect((await L.getObject(B, key)).body))).toBe(sum);
      const listed = (await L.listObjects(B)).objects.map((o) => o.key);
      expect(listed.sort()).toEqual([...sums.keys()].sort());
    }
    const hidden = (pos: number) => join(t.root, `hidden-${pos}`);
    function hide(positions: number[]): void {
      for (const p of positions) renameSync(join(t.drives[p]!, B), hidden(p));
    }
    async function restore(positions: number[]): Promise<void> {
      await L.healIdle();
      for (const p of positions) {
        rmSync(join(t.drives[p]!, B), { recursive: true, force: true }); // what heal rebuilt meanwhile
        renameSync(hidden(p), join(t.drives[p]!, B));
      }
    }
    function ownShard(pos: number, key: string): { index: number; file: string } {
      const dir = join(t.drives[pos]!, B, key);
      const v = decodeXlMeta(readFileSync(join(dir, "~xl.meta"))).versions[0] as ObjectVersionMeta;
      return { index: v.erasure.index, file: join(dir, `~d.${v.dataDir}`, "part.1") };
    }

    beforeAll(async () => {
      await open();
      await L.makeBucket(B);
      await put("small", bytes(20_000, 1));
      await put("dir/medium", bytes(1_500_000, 2));
      await put("big", bytes(3 * MiB + 17, 3));
      const p1 = bytes(5 * MiB, 4);
      const p2 = bytes(100_000, 5);
      const id = await L.newMultipartUpload(B, "mp", { metadata: meta() });
      const e1 = await L.putObjectPart(B, "mp", id, 1, body(p1), { size: p1.length });
      const e2 = await L.putObjectPart(B, "mp", id, 2, body(p2), { size: p2.length });
      await L.completeMultipartUpload(B, "mp", id, [{ partNumber: 1, etag: e1.etag }, { partNumber: 2, etag: e2.etag }], { versioning: "unversioned" });
      sums.set("mp", md5(Buffer.concat([p1, p2])));
    });
    afterAll(async () => {
      await L.close();
      t.cleanup();
    }, 60_000);

    test(`losing the data of any ${m} drives: every object reads back identical`, async () => {
      const all = Array.from({ length: n }, (_, i) => i);
      const combos: number[][] = [];
      const pick = (c: number[], from: number) => {
        if (c.length === m) return void combos.push(c);
        for (let i = from; i < n; i++) pick([...c, i], i + 1);
      };
      pick([], 0);
      // 4 drives: all 6 combinations; 8 drives: 6 of the 70, spread over the positions.
      const chosen = n === 4 ? combos : combos.filter((_, i) => i % 12 === 0);
      expect(chosen.length).toBeGreaterThan(5);
      for (const c of chosen) {
        hide(c);
        await readsBackIdentical();
        await restore(c);
      }
      expect(all.length).toBe(n);
    }, 60_000);

    test(`${m + 1} drives offline: a quorum error, never wrong data`, async () => {
      for (let i = 0; i <= m; i++) faulty[i]!.offline = true;
      try {
        const info = await L.storageInfo();
        expect(info.drives.filter((d) => d.state === "offline")).toHaveLength(m + 1);
        expect(info.readable).toBe(false);
        expect(info.writable).toBe(false);
        for (const key of sums.keys()) await rejectsWith(L.getObject(B, key), "InsufficientReadQuorum");
        await rejectsWith(L.putObject(B, "new", body(bytes(10)), { size: 10, metadata: meta(), versioning: "unversioned" }), "InsufficientWriteQuorum");
      } finally {
        for (const f of faulty) f.offline = false;
      }
      await readsBackIdentical();
    }, 60_000);

    test("a flipped byte in one data shard: the read is correct and the shard is healed", async () => {
      const pos = t.drives.findIndex((_, p) => ownShard(p, "big").index === 1);
      const { file } = ownShard(pos, "big");
      const original = readFileSync(file);
      const bad = Buffer.from(original);
      bad[1000] = bad[1000]! ^ 0xff;
      writeFileSync(file, bad);
      expect(md5(await collect((await L.getObject(B, "big")).body))).toBe(sums.get("big")!);
      await L.healIdle();
      expect(readFileSync(ownShard(pos, "big").file).equals(original)).toBe(true);
    }, 60_000);

    test("a corrupt xl.meta (inline object) on one drive: the read is correct and xl.meta is healed", async () => {
      const path = join(t.drives[1]!, B, "small", "~xl.meta");
      const bad = Buffer.from(readFileSync(path));
      bad[bad.length - 10] = bad[bad.length - 10]! ^ 0x55;
      writeFileSync(path, bad);
      expect(() => decodeXlMeta(readFileSync(path))).toThrow();
      expect(md5(await collect((await L.getObject(B, "small")).body))).toBe(sums.get("small")!);
      await L.healIdle();
      expect(decodeXlMeta(readFileSync(path)).versions.length).toBe(1);
    }, 60_000);

    test(`an emptied (replaced) drive is refilled by heal; objects then survive losing ${m} other drives`, async () => {
      await L.close();
      const d0 = t.drives[0]!;
      for (const name of readdirSync(d0)) rmSync(join(d0, name), { recursive: true, force: true });
      await open();
      expect(existsSync(join(d0, ".cairn.sys", "format.json"))).toBe(true);
      expect(existsSync(join(d0, B))).toBe(true);
      const results = await L.healAll();
      expect(results.find((r) => r.bucket === B)!.objectsHealed).toBe(sums.size);
      const others = Array.from({ length: m }, (_, i) => i + 1);
      hide(others);
      await readsBackIdentical();
      await restore(others);
    }, 60_000);

    test("a drive failing with EIO is treated as offline and service continues", async () => {
      faulty[0]!.inject({ effect: "Faulty" });
      try {
        await readsBackIdentical();
        await put("during-eio", bytes(1_100_000, 8));
        expect(md5(await collect((await L.getObject(B, "during-eio")).body))).toBe(sums.get("during-eio")!);
      } finally {
        faulty[0]!.clear();
      }
      // Heal (queued by the degraded reads, or run here) gives drive 0 its shard.
      await L.healIdle();
      const r = await L.healObject(B, "during-eio");
      expect(["ok", "healed"]).toContain(r.drives[0]!.after);
      expect(existsSync(join(t.drives[0]!, B, "during-eio", "~xl.meta"))).toBe(true);
      const others = Array.from({ length: m }, (_, i) => n - 1 - i);
      hide(others);
      await readsBackIdentical();
      await restore(others);
    }, 60_000);

    test("a drive failing in the middle of a PUT drops out; the PUT succeeds on the others", async () => {
      const data = bytes(3 * MiB, 11);
      const undo = faulty[1]!.inject({ at: ["writer.write"], effect: "Faulty", skip: 2, times: 1 });
      try {
        await put("mid-put", data);
      } finally {
        undo();
      }
      expect(existsSync(join(t.drives[1]!, B, "mid-put", "~xl.meta"))).toBe(false);
      expect(md5(await collect((await L.getObject(B, "mid-put")).body))).toBe(md5(data));
      await L.healIdle(); // the read noticed the gap: heal fills it
      expect(existsSync(join(t.drives[1]!, B, "mid-put", "~xl.meta"))).toBe(true);
    }, 60_000);

    test(`commits failing on ${n - m} drives: InsufficientWriteQuorum and the old object is intact`, async () => {
      const before = sums.get("dir/medium")!;
      const undo = faulty.slice(0, n - m).map((f) => f.inject({ at: ["commit"], effect: "Faulty" }));
      try {
        await rejectsWith(
          L.putObject(B, "dir/medium", body(bytes(1_400_000, 12)), { size: 1_400_000, metadata: meta(), versioning: "unversioned" }),
          "InsufficientWriteQuorum",
        );
      } finally {
        for (const u of undo) u();
      }
      const got = await L.getObject(B, "dir/medium");
      expect(md5(await collect(got.body))).toBe(before);
      expect(got.info.etag).toBe(before);
      // nothing staged is left behind in tmp
      await L.healIdle();
      for (const d of t.drives) expect(readdirSync(join(d, ".cairn.sys", "tmp"))).toEqual([]);
    }, 60_000);

    test(`a multipart completion failing on ${n - m} drives keeps the upload: the retry completes it`, async () => {
      const p1 = bytes(5 * MiB, 13);
      const p2 = bytes(70_000, 14);
      const id = await L.newMultipartUpload(B, "mp-retry", { metadata: meta() });
      const e1 = await L.putObjectPart(B, "mp-retry", id, 1, body(p1), { size: p1.length });
      const e2 = await L.putObjectPart(B, "mp-retry", id, 2, body(p2), { size: p2.length });
      const parts = [{ partNumber: 1, etag: e1.etag }, { partNumber: 2, etag: e2.etag }];
      // The first drives commit, the rest refuse: below quorum, the committed ones are rolled back.
      const undo = faulty.slice(m).map((f) => f.inject({ at: ["commit"], effect: "Faulty" }));
      try {
        await rejectsWith(L.completeMultipartUpload(B, "mp-retry", id, parts, { versioning: "unversioned" }), "InsufficientWriteQuorum");
      } finally {
        for (const u of undo) u();
      }
      await rejectsWith(L.getObject(B, "mp-retry"), "ObjectNotFound");
      expect((await L.listObjectParts(B, "mp-retry", id)).parts.map((p) => p.partNumber)).toEqual([1, 2]);
      await L.completeMultipartUpload(B, "mp-retry", id, parts, { versioning: "unversioned" });
      expect(md5(await collect((await L.getObject(B, "mp-retry")).body))).toBe(md5(Buffer.concat([p1, p2])));
      await L.deleteObject(B, "mp-retry", { versioning: "unversioned" });
    }, 60_000);

    test("one heal pass rebuilds every version's data dir on a drive that lost the key", async () => {
      const VB = "versions";
      await L.makeBucket(VB);
      const datas = [0, 1, 2].map((i) => bytes(400_000 + i, 20 + i));
      for (const d of datas) await L.putObject(VB, "k", body(d), { size: d.length, metadata: meta(), versioning: "enabled" });
      const keyDir = (pos: number) => join(t.drives[pos]!, VB, "k");
      const dataDirs = (pos: number) => readdirSync(keyDir(pos)).filter((f) => f.startsWith("~d.")).sort();
      const expected = dataDirs(1);
      expect(expected.length).toBe(3);
      rmSync(keyDir(0), { recursive: true });
      const r = await L.healObject(VB, "k");
      expect(r.drives[0]!.after).toBe("healed");
      expect(dataDirs(0)).toEqual(expected);
      for (const f of expected) expect(readdirSync(join(keyDir(0), f))).toEqual(["part.1"]);
      // Nothing staged is left behind.
      for (const d of t.drives) expect(readdirSync(join(d, ".cairn.sys", "tmp"))).toEqual([]);
      // Every version reads back from drive 0 and m others, the rest hidden.
      const versions = (await L.listObjectVersions(VB)).versions.filter((v) => v.key === "k");
      expect(versions.length).toBe(3);
      const others = Array.from({ length: m }, (_, i) => n - 1 - i);
      for (const p of others) renameSync(join(t.drives[p]!, VB), join(t.root, `vhidden-${p}`));
      try {
        for (const v of versions) {
          const got = await L.getObject(VB, "k", { versionId: v.versionId! });
          expect(md5(await collect(got.body))).toBe(md5(datas[got.info.size - 400_000]!));
        }
      } finally {
        await L.healIdle();
        for (const p of others) {
          rmSync(join(t.drives[p]!, VB), { recursive: true, force: true }); // what heal rebuilt meanwhile
          renameSync(join(t.root, `vhidden-${p}`), join(t.drives[p]!, VB));
        }
      }
    }, 60_000);

    test("heal removes data dirs a drive's xl.meta does not reference (a crash before xl.meta, a failed cleanup), and only those", async () => {
      const data = bytes(500_000, 31);
      await put("orphans", data);
      const keyDir = (pos: number) => join(t.drives[pos]!, B, "orphans");
      const dataDirs = (pos: number) => readdirSync(keyDir(pos)).filter((f) => f.startsWith("~d.")).sort();
      const live = dataDirs(0);
      expect(live.length).toBe(1);
      // An overwrite's data dir moved into place on drive 0 just before a crash (no xl.meta
      // names it), and an old version's shards whose removal failed on drive 1.
      for (const [pos, name] of [[0, "~d.0b0e6a5c-3f9e-4c59-8d3e-2f1a8c7b6d5e"], [1, "~d.7f3c2a1b-9e8d-4c7b-a6f5-e4d3c2b1a098"]] as const) {
        mkdirSync(join(keyDir(pos), name));
        writeFileSync(join(keyDir(pos), name, "part.1"), bytes(100_000, pos));
      }
      const r = await L.healObject(B, "orphans");
      expect(r.drives.every((d) => d.after === "ok")).toBe(true);
      for (let pos = 0; pos < n; pos++) expect(dataDirs(pos)).toEqual(live);
      expect(md5(await collect((await L.getObject(B, "orphans")).body))).toBe(md5(data));
    }, 60_000);

    test("a drive that missed a delete: the key is not listed, not readable, and heal removes it", async () => {
      await put("stale", bytes(300_000, 9));
      faulty[0]!.offline = true;
      await L.deleteObject(B, "stale", { versioning: "unversioned" });
      sums.delete("stale");
      faulty[0]!.offline = false;
      expect(existsSync(join(t.drives[0]!, B, "stale", "~xl.meta"))).toBe(true);
      await rejectsWith(L.getObject(B, "stale"), "ObjectNotFound");
      expect((await L.listObjects(B)).objects.map((o) => o.key)).not.toContain("stale");
      await L.healObject(B, "stale").catch(() => undefined);
      expect(existsSync(join(t.drives[0]!, B, "stale", "~xl.meta"))).toBe(false);
    });
  });
}
