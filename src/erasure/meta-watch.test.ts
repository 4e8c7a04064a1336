/**
 * The drive watch: every call that changes a key's directory makes that key's cached xl.meta on
 * that drive stale (whether the call succeeds or fails), a volume change makes the volume's
 * stale, and everything else is the drive's own method, called on the drive itself.
 */
import { expect, test } from "bun:test";
import type { Drive } from "../storage/index";
import type { XlMeta } from "../xlmeta/index";
import { MetaDecodeCache, metaFileId } from "./meta-cache";
import { watchMetaWrites } from "./meta-watch";

const EMPTY: XlMeta = { versions: [], inline: new Map() };

function setUp() {
  const cache = new MetaDecodeCache({ freshMs: 60_000 }, () => 0);
  const ids = {
    k: metaFileId("/d1", "bkt", "k"),
    other: metaFileId("/d1", "bkt", "other"),
    otherVolume: metaFileId("/d1", "bkt2", "k"),
    otherDrive: metaFileId("/d2", "bkt", "k"),
  };
  const freshen = () => {
    Object.values(ids).forEach((id, i) => cache.decode(id, new Uint8Array([i]), () => EMPTY, cache.startRead(id)));
  };
  const fresh = (id: string) => cache.recent([id]) !== null;
  const inner = {
    endpoint: "/d1",
    async readMeta(this: unknown) {
      return this === inner ? new Uint8Array([1]) : new Uint8Array([0]);
    },
    async writeMeta() {
      throw new Error("disk full");
    },
    async commit() {},
    async createMeta() {
      return true;
    },
    async restoreStaged() {},
    async deleteDataDir() {},
    async deleteObject() {},
    async deleteVolume() {},
    async makeVolume() {},
  };
  const drive = watchMetaWrites(inner as unknown as Drive, cache);
  return { cache, ids, freshen, fresh, inner, drive };
}

test("each call that changes a key makes that key stale on that drive only, even when it fails", async () => {
  const { ids, freshen, fresh, drive } = setUp();
  const calls: [string, (d: Drive) => Promise<unknown>][] = [
    ["writeMeta", (d) => d.writeMeta("bkt", "k", new Uint8Array(1))],
    ["commit", (d) => d.commit("bkt", "k", new Uint8Array(1), null)],
    ["createMeta", (d) => d.createMeta!("bkt", "k", new Uint8Array(1))],
    ["restoreStaged", (d) => d.restoreStaged("bkt", "k", { staging: "tmp/x", dataDir: "dd" })],
    ["deleteDataDir", (d) => d.deleteDataDir("bkt", "k", "dd")],
    ["deleteObject", (d) => d.deleteObject("bkt", "k")],
  ];
  for (const [name, call] of calls) {
    freshen();
    await call(drive).catch(() => undefined);
    expect([name, fresh(ids.k)]).toEqual([name, false]);
    expect([name, fresh(ids.other), fresh(ids.otherVolume), fresh(ids.otherDrive)]).toEqual([name, true, true, true]);
  }
});

test("a volume change makes every key of that volume on that drive stale", async () => {
  const { ids, freshen, fresh, drive } = setUp();
  for (const call of [(d: Drive) => d.deleteVolume("bkt", { force: true }), (d: Drive) => d.makeVolume("bkt")]) {
    freshen();
    await call(drive);
    expect([fresh(ids.k), fresh(ids.other), fresh(ids.otherVolume), fresh(ids.otherDrive)]).toEqual([false, false, true, true]);
  }
});

test("reads pass through untouched, on the drive itself, and a replaced method is the one called", async () => {
  const { ids, freshen, fresh, inner, drive } = setUp();
  freshen();
  expect(drive.endpoint).toBe("/d1");
  expect(await drive.readMeta("bkt", "k")).toEqual(new Uint8Array([1]));
  expect(fresh(ids.k)).toBe(true);
  inner.readMeta = async () => new Uint8Array([9]);
  expect(await drive.readMeta("bkt", "k")).toEqual(new Uint8Array([9]));
  inner.commit = async () => {
    throw new Error("replaced");
  };
  await expect(drive.commit("bkt", "k", new Uint8Array(1), null)).rejects.toThrow("replaced");
  expect(fresh(ids.k)).toBe(false);
});
