import { describe, expect, test } from "bun:test";
import {
  addVersion,
  decodeXlMeta,
  emptyXlMeta,
  encodeXlMeta,
  findVersion,
  inlineDataOf,
  latestVersion,
  newVersionId,
  nowNanos,
  removeVersion,
  type VersionMeta,
  type XlMeta,
} from "./index";
import { randInt, randObjectVersion, rngFromSeed, type Rng } from "./arbitrary";

const marker = (versionId: string | null, modTime: bigint): VersionMeta => ({
  type: "deleteMarker",
  versionId,
  modTime,
});

const inlineObject = (versionId: string | null, modTime: bigint) =>
  randObjectVersion(rngFromSeed(1), { versionId, modTime, inline: true });

const ids = (meta: XlMeta) => meta.versions.map((v) => v.versionId);

describe("addVersion", () => {
  test("keeps versions newest first whatever the insertion order", () => {
    let meta = emptyXlMeta();
    for (const [id, t] of [["b", 20n], ["a", 10n], ["d", 40n], ["c", 30n]] as const) {
      meta = addVersion(meta, marker(id, t));
    }
    expect(ids(meta)).toEqual(["d", "c", "b", "a"]);
    expect(latestVersion(meta)?.versionId).toBe("d");
  });

  test("among equal mod times the last added is the latest", () => {
    let meta = addVersion(emptyXlMeta(), marker("old", 1n));
    meta = addVersion(meta, marker("first", 5n));
    meta = addVersion(meta, marker("second", 5n));
    expect(ids(meta)).toEqual(["second", "first", "old"]);
  });

  test("a null version replaces the null version wherever it is, with its inline data", () => {
    let meta = addVersion(emptyXlMeta(), marker("a", 10n));
    meta = addVersion(meta, inlineObject(null, 20n), new Uint8Array([1, 2]));
    meta = addVersion(meta, marker("c", 30n));
    expect(ids(meta)).toEqual(["c", null, "a"]);
    meta = addVersion(meta, marker(null, 40n));
    expect(ids(meta)).toEqual([null, "c", "a"]);
    expect(findVersion(meta, null)?.type).toBe("deleteMarker");
    expect(inlineDataOf(meta, null)).toBeUndefined();
    expect(meta.inline.size).toBe(0);
  });

  test("an existing non-null id is replaced, not duplicated", () => {
    let meta = addVersion(emptyXlMeta(), marker("a", 10n));
    meta = addVersion(meta, inlineObject("a", 10n), new Uint8Array([7]));
    expect(meta.versions.length).toBe(1);
    expect(findVersion(meta, "a")?.type).toBe("object");
    expect(inlineDataOf(meta, "a")).toEqual(new Uint8Array([7]));
  });

  test("does not mutate its input", () => {
    const before = addVersion(emptyXlMeta(), inlineObject(null, 1n), new Uint8Array([1]));
    const after = addVersion(before, marker(null, 2n));
    expect(ids(before)).toEqual([null]);
    expect(before.inline.size).toBe(1);
    expect(ids(after)).toEqual([null]);
    expect(after.inline.size).toBe(0);
  });

  test("inline data for a delete marker or a non-inline object is refused", () => {
    expect(() => addVersion(emptyXlMeta(), marker("a", 1n), new Uint8Array(1))).toThrow(RangeError);
    const stored = randObjectVersion(rngFromSeed(2), { versionId: "a", modTime: 1n, inline: false });
    expect(() => addVersion(emptyXlMeta(), stored, new Uint8Array(1))).toThrow(RangeError);
  });
});

describe("removeVersion, findVersion, inlineDataOf", () => {
  const base = [
    [inlineObject("a", 3n), new Uint8Array([3])],
    [inlineObject(null, 2n), new Uint8Array([2])],
    [marker("c", 1n), undefined],
  ] as const;
  const meta = base.reduce((m, [v, data]) => addVersion(m, v, data), emptyXlMeta());

  test("finds by id, null meaning the null version", () => {
    expect(findVersion(meta, null)?.modTime).toBe(2n);
    expect(findVersion(meta, "c")?.type).toBe("deleteMarker");
    expect(findVersion(meta, "zzz")).toBeUndefined();
    expect(inlineDataOf(meta, null)).toEqual(new Uint8Array([2]));
    expect(inlineDataOf(meta, "c")).toBeUndefined();
  });

  test("removes a version with its inline data and returns it", () => {
    const { meta: after, removed } = removeVersion(meta, null);
    expect(removed?.modTime).toBe(2n);
    expect(ids(after)).toEqual(["a", "c"]);
    expect(inlineDataOf(after, null)).toBeUndefined();
    expect(inlineDataOf(after, "a")).toEqual(new Uint8Array([3]));
    expect(ids(meta)).toEqual(["a", null, "c"]);
  });

  test("removing an unknown id changes nothing", () => {
    const { meta: after, removed } = removeVersion(meta, "nope");
    expect(removed).toBeUndefined();
    expect(after).toStrictEqual(meta);
  });

  test("latestVersion of an empty value is undefined", () => {
    expect(latestVersion(emptyXlMeta())).toBeUndefined();
  });
});

/** The obvious reference: a list of (version, insertion number), sorted on demand. */
class Model {
  private entries: { v: VersionMeta; seq: number }[] = [];
  private seq = 0;
  add(v: VersionMeta): void {
    this.remove(v.versionId);
    this.entries.push({ v, seq: this.seq++ });
  }
  remove(id: string | null): void {
    this.entries = this.entries.filter((e) => e.v.versionId !== id);
  }
  ids(): (string | null)[] {
    const sorted = this.entries.slice().sort((x, y) => {
      if (x.v.modTime !== y.v.modTime) return x.v.modTime > y.v.modTime ? -1 : 1;
      return y.seq - x.seq;
    });
    return sorted.map((e) => e.v.versionId);
  }
}

function randomStep(rng: Rng, meta: XlMeta, model: Model): XlMeta {
  const id = rng() < 0.3 ? null : `v${randInt(rng, 0, 8)}`;
  if (rng() < 0.3) {
    model.remove(id);
    return removeVersion(meta, id).meta;
  }
  const modTime = BigInt(randInt(rng, 0, 6));
  const version = rng() < 0.5 ? marker(id, modTime) : inlineObject(id, modTime);
  model.add(version);
  const data = version.type === "object" ? new Uint8Array([randInt(rng, 0, 255)]) : undefined;
  return addVersion(meta, version, data);
}

test("random add/remove sequences match the reference model and always encode", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rng = rngFromSeed(seed);
    const model = new Model();
    let meta = emptyXlMeta();
    for (let step = 0; step < 30; step++) {
      meta = randomStep(rng, meta, model);
      expect(ids(meta)).toEqual(model.ids());
    }
    expect(decodeXlMeta(encodeXlMeta(meta))).toStrictEqual(meta);
  }
});

describe("newVersionId and nowNanos", () => {
  test("version ids are distinct UUID v7 strings", () => {
    const seen = new Set(Array.from({ length: 1000 }, newVersionId));
    expect(seen.size).toBe(1000);
    for (const id of seen) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("mod times are nanoseconds since the epoch and strictly increase", () => {
    let previous = nowNanos();
    expect(previous).toBeGreaterThan(1_600_000_000n * 1_000_000_000n);
    for (let i = 0; i < 10_000; i++) {
      const next = nowNanos();
      expect(next).toBeGreaterThan(previous);
      previous = next;
    }
  });
});
