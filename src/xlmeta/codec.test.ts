import { describe, expect, test } from "bun:test";
import { decodeXlMeta, encodeXlMeta, XlMetaError, type XlMeta } from "./index";
import { randInt, randObjectVersion, randXlMeta, rngFromSeed } from "./arbitrary";

function expectKind(fn: () => unknown, kind: XlMetaError["kind"]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(XlMetaError);
  expect((caught as XlMetaError).kind).toBe(kind);
}

describe("round trip", () => {
  test("300 random values (0–12 versions, inline ≤ 4 KiB) decode to themselves", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = rngFromSeed(seed);
      const meta = randXlMeta(rng, { versions: randInt(rng, 0, 12), maxInline: 4096 });
      const bytes = encodeXlMeta(meta);
      const back = decodeXlMeta(bytes);
      expect(back).toStrictEqual(meta);
      // Deterministic: re-encoding the decoded value gives the same bytes.
      expect(encodeXlMeta(back)).toEqual(bytes);
    }
  });

  test("1 version with 128 KiB inline data", () => {
    for (let seed = 1000; seed < 1010; seed++) {
      const meta = randXlMeta(rngFromSeed(seed), { versions: 1, maxInline: 128 * 1024 });
      expect(decodeXlMeta(encodeXlMeta(meta))).toStrictEqual(meta);
    }
  });

  test("100 versions with inline data up to 128 KiB", () => {
    const meta = randXlMeta(rngFromSeed(42), { versions: 100, maxInline: 128 * 1024 });
    expect(meta.versions.length).toBe(100);
    expect(meta.inline.size).toBeGreaterThan(10);
    expect(decodeXlMeta(encodeXlMeta(meta))).toStrictEqual(meta);
  });

  test("nanosecond mod times beyond 2^53 and sizes beyond 2^32 survive exactly", () => {
    const modTime = 1_732_540_000_123_456_789n; // not representable as a float64
    const meta: XlMeta = {
      versions: [
        { type: "deleteMarker", versionId: null, modTime: (1n << 63n) - 1n },
        { type: "deleteMarker", versionId: "b", modTime: modTime + 1n },
        { type: "deleteMarker", versionId: "a", modTime },
      ],
      inline: new Map(),
    };
    const back = decodeXlMeta(encodeXlMeta(meta));
    expect(back.versions.map((v) => v.modTime)).toEqual([(1n << 63n) - 1n, modTime + 1n, modTime]);
  });

  test("metadata keys named __proto__ stay own string properties", () => {
    const shape = { versionId: "v1", modTime: 1n, inline: false };
    const version = randObjectVersion(rngFromSeed(7), shape);
    version.meta = Object.fromEntries([["__proto__", "x"], ["content-type", "text/plain"]]);
    const back = decodeXlMeta(encodeXlMeta({ versions: [version], inline: new Map() }));
    const decoded = back.versions[0];
    if (decoded?.type !== "object") throw new Error("expected an object version");
    expect(Object.keys(decoded.meta)).toEqual(["__proto__", "content-type"]);
    expect(decoded.meta["__proto__"]).toBe("x");
    expect(Object.getPrototypeOf(decoded.meta)).toBe(Object.prototype);
  });
});

describe("damage is always FileCorrupt", () => {
  const samples = [11, 12, 13].map((seed) =>
    encodeXlMeta(randXlMeta(rngFromSeed(seed), { versions: 3, maxInline: 64 })),
  );
  samples.push(encodeXlMeta({ versions: [], inline: new Map() }));

  test("a flipped byte at every position of every sample", () => {
    for (const original of samples) {
      for (let i = 0; i < original.length; i++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const damaged = original.slice();
          damaged[i]! ^= mask;
          expectKind(() => decodeXlMeta(damaged), "FileCorrupt");
        }
      }
    }
  });

  test("every truncation, and trailing bytes", () => {
    for (const original of samples) {
      for (let length = 0; length < original.length; length++) {
        expectKind(() => decodeXlMeta(original.subarray(0, length)), "FileCorrupt");
      }
      const longer = new Uint8Array(original.length + 1);
      longer.set(original);
      expectKind(() => decodeXlMeta(longer), "FileCorrupt");
    }
  });

  test("a subarray input with a byte offset decodes like a fresh buffer", () => {
    const original = samples[0]!;
    const padded = new Uint8Array(original.length + 10);
    padded.set(original, 7);
    expect(decodeXlMeta(padded.subarray(7, 7 + original.length))).toStrictEqual(
      decodeXlMeta(original),
    );
  });
});

describe("format versions", () => {
  const meta = randXlMeta(rngFromSeed(5), { versions: 2, maxInline: 16 });

  test("a file from a newer format version is UnsupportedVersion", () => {
    expectKind(() => decodeXlMeta(encodeXlMeta(meta, { formatVersion: 3 })), "UnsupportedVersion");
    expectKind(() => decodeXlMeta(encodeXlMeta(meta, { formatVersion: 0xffff })), "UnsupportedVersion");
  });

  test("format version 0 (with a valid header checksum) is FileCorrupt", () => {
    expectKind(() => decodeXlMeta(encodeXlMeta(meta, { formatVersion: 0 })), "FileCorrupt");
  });

  test("starts with the magic and format version 2", () => {
    const bytes = encodeXlMeta(meta);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe("CAIRNXLM");
    expect(bytes[8]).toBe(2);
    expect(bytes[9]).toBe(0);
  });

  test("v1 files (erasure indexes in the body) still decode to the same value", () => {
    for (let seed = 1; seed <= 50; seed++) {
      const m = randXlMeta(rngFromSeed(seed), { versions: 1 + (seed % 5), maxInline: 32 });
      expect(decodeXlMeta(encodeXlMeta(m, { formatVersion: 1 }))).toStrictEqual(m);
    }
  });
});

describe("encode refuses values the decoder would reject", () => {
  const marker = (versionId: string | null, modTime: bigint) =>
    ({ type: "deleteMarker", versionId, modTime }) as const;

  test.each([
    ["duplicate ids", [marker("a", 2n), marker("a", 1n)]],
    ["two null versions", [marker(null, 2n), marker(null, 1n)]],
    ["oldest first", [marker("a", 1n), marker("b", 2n)]],
    ["negative mod time", [marker("a", -1n)]],
    ["mod time beyond int64", [marker("a", 1n << 63n)]],
    ["the id 'null'", [marker("null", 1n)]],
    ["an empty id", [marker("", 1n)]],
  ])("%s", (_name, versions) => {
    expect(() => encodeXlMeta({ versions: [...versions], inline: new Map() })).toThrow(RangeError);
  });

  test("parts out of order, or not adding up to the size", () => {
    const v = randObjectVersion(rngFromSeed(4), { versionId: "a", modTime: 1n, inline: false });
    const part = (number: number, size: number) => ({ number, size, etag: "e" });
    for (const bad of [
      { ...v, size: 2, parts: [part(2, 1), part(1, 1)] },
      { ...v, size: 2, parts: [part(1, 1), part(1, 1)] },
      { ...v, size: 5, parts: [part(1, 1), part(2, 1)] },
    ]) {
      expect(() => encodeXlMeta({ versions: [bad], inline: new Map() })).toThrow(RangeError);
    }
    const good = { ...v, size: 2, parts: [part(1, 1), part(3, 1)] };
    expect(decodeXlMeta(encodeXlMeta({ versions: [good], inline: new Map() })).versions).toEqual([good]);
  });

  test("inline data for a delete marker", () => {
    const meta: XlMeta = { versions: [marker("a", 1n)], inline: new Map([["a", new Uint8Array(1)]]) };
    expect(() => encodeXlMeta(meta)).toThrow(RangeError);
  });
});
