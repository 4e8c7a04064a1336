import { describe, expect, test } from "bun:test";
import { defaultParity, defaultRrsParity, StorageClassError, storageClassParity, validateParity, writeQuorum } from "./storage-class";
import { distributionFor, setIndexFor } from "./placement";
import { setSizeFor } from "./format";

describe("storage classes, quorum and placement", () => {
  test("default parity by set size", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 12, 16].map(defaultParity)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 4]);
    expect(defaultRrsParity(8, 4)).toBe(1);
    expect(defaultRrsParity(1, 0)).toBe(0);
  });
  test("write quorum is k, or k+1 when k == m", () => {
    expect(writeQuorum(2, 2)).toBe(3);
    expect(writeQuorum(6, 2)).toBe(6);
    expect(writeQuorum(1, 0)).toBe(1);
  });
  test("EC:N from CAIRN_ or MINIO_ variables, CAIRN_ first", () => {
    expect(storageClassParity({ CAIRN_STORAGE_CLASS_STANDARD: "EC:3" })).toEqual({ parity: 3 });
    expect(storageClassParity({ MINIO_STORAGE_CLASS_STANDARD: "EC:2", MINIO_STORAGE_CLASS_RRS: "EC:1" })).toEqual({ parity: 2, rrsParity: 1 });
    expect(storageClassParity({ CAIRN_STORAGE_CLASS_STANDARD: "EC:4", MINIO_STORAGE_CLASS_STANDARD: "EC:2" })).toEqual({ parity: 4 });
    expect(storageClassParity({})).toEqual({});
    expect(() => storageClassParity({ CAIRN_STORAGE_CLASS_STANDARD: "4" })).toThrow(StorageClassError);
  });
  test("impossible parity is refused", () => {
    expect(() => validateParity(4, 3, 1)).toThrow(StorageClassError);
    expect(() => validateParity(4, 2, 3)).toThrow(StorageClassError);
    validateParity(16, 8, 2);
  });
  test("sets: the largest divisor up to 16", () => {
    expect([1, 2, 4, 8, 12, 16, 32, 24, 18, 20].map(setSizeFor)).toEqual([1, 2, 4, 8, 12, 16, 16, 12, 9, 10]);
    expect(() => setSizeFor(17)).toThrow(/17 drives/);
  });
  test("placement is stable, depends on the deployment, and rotates shards by key", () => {
    expect(setIndexFor("photos/cat.jpg", "dep-1", 4)).toBe(setIndexFor("photos/cat.jpg", "dep-1", 4));
    const spread = new Set(Array.from({ length: 64 }, (_, i) => setIndexFor(`k${i}`, "dep-1", 4)));
    expect(spread.size).toBe(4);
    const moved = Array.from({ length: 64 }, (_, i) => setIndexFor(`k${i}`, "dep-1", 4) !== setIndexFor(`k${i}`, "dep-2", 4));
    expect(moved.some(Boolean)).toBe(true);
    const d = distributionFor("some/key", 6);
    expect([...d].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const firsts = new Set(Array.from({ length: 64 }, (_, i) => distributionFor(`key-${i}`, 6).indexOf(1)));
    expect(firsts.size).toBeGreaterThan(3);
  });
});

describe("storage class per object", () => {
  test("REDUCED_REDUNDANCY objects use the RRS parity; STANDARD the deployment's", async () => {
    const { tempDrives } = await import("../../test/suites/helpers");
    const { openErasureLayer } = await import("./index");
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { decodeXlMeta } = await import("../xlmeta/index");
    const t = tempDrives(8);
    const L = await openErasureLayer({ drives: t.drives, parity: 4, rrsParity: 2 });
    try {
      await L.makeBucket("scb");
      const data = new Uint8Array(300_000).fill(7);
      const put = (key: string, storageClass?: string) =>
        L.putObject("scb", key, new Blob([data]).stream(), { size: data.length, metadata: { user: {} }, versioning: "unversioned", ...(storageClass ? { storageClass } : {}) });
      await put("rrs", "REDUCED_REDUNDANCY");
      await put("std");
      expect((await L.statObject("scb", "rrs")).storageClass).toBe("REDUCED_REDUNDANCY");
      expect((await L.statObject("scb", "std")).storageClass).toBe("STANDARD");
      const parityOf = (key: string) => {
        const v = decodeXlMeta(readFileSync(join(t.drives[0]!, "scb", key, "~xl.meta"))).versions[0]!;
        return v.type === "object" ? v.erasure.parityBlocks : -1;
      };
      expect(parityOf("rrs")).toBe(2);
      expect(parityOf("std")).toBe(4);
    } finally {
      await L.close();
      t.cleanup();
    }
  });
});
