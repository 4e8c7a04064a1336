import { describe, expect, test } from "bun:test";
import { Packr } from "msgpackr";
import { checkMsgpack } from "./msgpack-guard";
import { XlMetaError } from "./types";
import { randBytes, randXlMeta, rngFromSeed } from "./arbitrary";
import { versionToWire } from "./wire";

const packr = new Packr({ useRecords: false, variableMapSize: true, int64AsType: "bigint" });

function accepts(body: Uint8Array): boolean {
  try {
    checkMsgpack(body);
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(XlMetaError);
    return false;
  }
}

const nested = (depth: number) => new Uint8Array([...new Array(depth).fill(0x91), 0x00]);

describe("checkMsgpack", () => {
  test("accepts every body the encoder writes", () => {
    for (let seed = 1; seed <= 100; seed++) {
      const meta = randXlMeta(rngFromSeed(seed), { versions: 1 + (seed % 20), maxInline: 0 });
      const body = packr.pack({ v: meta.versions.map((v) => versionToWire(v, false)), i: [["x", 1]] });
      expect(accepts(body)).toBe(true);
    }
  });

  test("accepts every scalar and length form msgpack defines", () => {
    const values = [
      0, 127, 128, 255, 256, 65535, 65536, 2 ** 32, -1, -32, -33, -129, -32769, -(2 ** 31) - 1,
      1.5, (1n << 63n) - 1n, -(1n << 63n), null, true, false, "", "a".repeat(31),
      "a".repeat(32), "a".repeat(256), "a".repeat(65536), new Uint8Array(0), new Uint8Array(256),
      new Uint8Array(65536), new Array(16).fill(1), new Array(65536).fill(1),
      Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])),
    ];
    for (const value of values) expect(accepts(packr.pack(value))).toBe(true);
    expect(accepts(new Uint8Array([0xca, 0x3f, 0x80, 0x00, 0x00]))).toBe(true); // float32 1.0
  });

  test("nesting: 15 nested containers pass, 16 fail", () => {
    expect(accepts(nested(15))).toBe(true); // the root slot + 15 open arrays = MAX_DEPTH
    expect(accepts(nested(16))).toBe(false);
  });

  test("refuses ext types and the unused token 0xc1", () => {
    for (const token of [0xc1, 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]) {
      expect(accepts(new Uint8Array([token, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(false);
    }
  });

  test("refuses every truncation and any trailing byte", () => {
    const meta = randXlMeta(rngFromSeed(8), { versions: 3, maxInline: 0 });
    const body = packr.pack({ v: meta.versions.map((v) => versionToWire(v, false)), i: [] });
    for (let length = 0; length < body.length; length++) {
      expect(accepts(body.subarray(0, length))).toBe(false);
    }
    expect(accepts(new Uint8Array([...body, 0xc0]))).toBe(false);
  });

  test("anything it accepts, msgpackr decodes without error", () => {
    const rng = rngFromSeed(17);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = randBytes(rng, 1 + (i % 24));
      if (!accepts(body)) continue;
      accepted++;
      expect(() => packr.unpack(body)).not.toThrow();
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
