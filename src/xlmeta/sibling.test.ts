/**
 * SiblingRef.decode must answer exactly as decodeXlMeta does (the same value, or the same
 * error kind) for every file, and take its shortcut for the files drives really write: the
 * same body but for each version's erasure index, with their own inline bytes.
 */
import { describe, expect, test } from "bun:test";
import { decodeXlMeta, encodeXlMeta, XlMetaError, type XlMeta } from "./index";
import { readFrame, writeFrame } from "./frame";
import { randBytes, randInt, randXlMeta, rngFromSeed, type Rng } from "./arbitrary";
import { SiblingRef } from "./sibling";

/** The same xl.meta as another drive of the set holds it: its own shard index and inline bytes. */
function onOtherDrive(rng: Rng, meta: XlMeta): XlMeta {
  const versions = meta.versions.map((v) => {
    if (v.type !== "object") return v;
    const shards = v.erasure.dataBlocks + v.erasure.parityBlocks;
    return { ...v, erasure: { ...v.erasure, index: randInt(rng, 1, Math.min(shards, 127)) } };
  });
  const inline = new Map([...meta.inline].map(([k, b]) => [k, randBytes(rng, b.length)] as const));
  return { versions, inline };
}

type Outcome = { ok: true; value: XlMeta } | { ok: false; kind: string };

function outcome(f: () => XlMeta): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (err) {
    expect(err).toBeInstanceOf(XlMetaError);
    return { ok: false, kind: (err as XlMetaError).kind };
  }
}

/** What a listing reads of an xl.meta: all but each version's erasure index and the inline bytes. */
function listed(meta: XlMeta) {
  const versions = meta.versions.map((v) => (v.type === "object" ? { ...v, erasure: { ...v.erasure, index: 0 } } : v));
  return { versions, inline: [...meta.inline].map(([k, b]) => [k, b.length]) };
}

/**
 * decode answers as decodeXlMeta does; agrees throws where it throws and says yes only where
 * the file decodes to the reference's value but for indexes and inline bytes.
 */
function expectSame(ref: SiblingRef, bytes: Uint8Array): Outcome {
  const full = outcome(() => decodeXlMeta(bytes));
  const fast = outcome(() => ref.decode(bytes));
  expect(fast).toStrictEqual(full);
  let agrees: boolean | "threw";
  try {
    agrees = ref.agrees(bytes);
  } catch {
    agrees = "threw";
  }
  if (!full.ok) expect(agrees === "threw" || agrees === false).toBe(true);
  else if (agrees === true) expect(listed(full.value)).toStrictEqual(listed(ref.meta));
  else expect(agrees).toBe(false);
  return fast;
}

/** Shares the reference's nested objects: the shortcut ran, not the full decoder. */
function tookShortcut(ref: SiblingRef, got: XlMeta): boolean {
  const i = ref.meta.versions.findIndex((v) => v.type === "object");
  const v = got.versions[i];
  return i >= 0 && v?.type === "object" && v.parts === (ref.meta.versions[i] as typeof v).parts;
}

describe.each([1, 2])("SiblingRef.decode equals decodeXlMeta, format v%d", (formatVersion) => {
  const encode = (meta: XlMeta) => encodeXlMeta(meta, { formatVersion });
  function refOf(meta: XlMeta): { bytes: Uint8Array; ref: SiblingRef } {
    const bytes = encode(meta);
    return { bytes, ref: new SiblingRef(bytes, decodeXlMeta(bytes)) };
  }

  test("random metas as other drives hold them: equal values, by the shortcut", () => {
    const rng = rngFromSeed(7);
    let shortcuts = 0;
    for (let i = 0; i < 400; i++) {
      const meta = randXlMeta(rng, { versions: 1 + (i % 4), maxInline: 64 });
      const { ref } = refOf(meta);
      const other = expectSame(ref, encode(onOtherDrive(rng, meta)));
      if (other.ok && tookShortcut(ref, other.value)) {
        shortcuts++;
        expect(ref.agrees(encode(onOtherDrive(rng, meta)))).toBe(true);
      }
    }
    expect(shortcuts).toBeGreaterThan(200);
  });

  test("every byte of another drive's body flipped, checksums recomputed", () => {
    const rng = rngFromSeed(11);
    for (const versions of [1, 3]) {
      const meta = randXlMeta(rng, { versions, maxInline: 16 });
      const { ref } = refOf(meta);
      const frame = readFrame(encode(onOtherDrive(rng, meta)));
      for (let i = 0; i < frame.body.length; i++) {
        for (const mask of [0x01, 0x55, 0x80]) {
          const body = frame.body.slice();
          body[i]! ^= mask;
          expectSame(ref, writeFrame({ body, inline: [frame.inline] }, formatVersion));
        }
      }
    }
  });

  test("damaged frames, other inline lengths, other index widths, unrelated files", () => {
    const rng = rngFromSeed(5);
    const meta = randXlMeta(rng, { versions: 2, maxInline: 32 });
    const { bytes, ref } = refOf(meta);
    for (let i = 0; i < bytes.length; i += 3) {
      const torn = bytes.slice();
      torn[i]! ^= 0x10;
      expect(expectSame(ref, torn).ok).toBe(false); // a hash or the header CRC catches it
    }
    expectSame(ref, bytes.subarray(0, bytes.length - 1));
    const frame = readFrame(bytes);
    expectSame(ref, writeFrame({ body: frame.body, inline: [frame.inline, new Uint8Array(1)] }, formatVersion));
    for (let n = 0; n < 20; n++) expectSame(ref, encode(randXlMeta(rng, { versions: 1 + (n % 3), maxInline: 8 })));
  });

  test("an index out of its version's range is FileCorrupt, as in the full decoder", () => {
    const rng = rngFromSeed(9);
    const meta = randXlMeta(rng, { versions: 1, maxInline: 0 });
    const v = meta.versions[0]!;
    if (v.type !== "object") throw new Error("seed 9 must give an object version");
    const { ref } = refOf(meta);
    const bytes = encode(meta);
    // The index byte (in the body in v1, in the drive section in v2): the first byte where a
    // copy with another index differs.
    const shards = v.erasure.dataBlocks + v.erasure.parityBlocks;
    const moved = { ...meta, versions: [{ ...v, erasure: { ...v.erasure, index: v.erasure.index === 1 ? 2 : 1 } }] };
    const other = encode(moved);
    const frame = readFrame(bytes);
    const part = formatVersion === 1 ? "body" : "inline";
    const at = frame[part].findIndex((b, i) => b !== readFrame(other)[part][i]);
    expect(at).toBeGreaterThanOrEqual(0);
    for (const ix of [0, shards + 1, 0x7f, 0xc0]) {
      const parts = { body: frame.body.slice(), inline: frame.inline.slice() };
      parts[part][at] = ix;
      const got = expectSame(ref, writeFrame({ body: parts.body, inline: [parts.inline] }, formatVersion));
      if (ix > shards || ix === 0) expect(got).toEqual({ ok: false, kind: "FileCorrupt" });
    }
  });

  test("in a set of 200 shards, index bytes past 0x7f answer as the full decoder does", () => {
    const meta = randXlMeta(rngFromSeed(9), { versions: 1, maxInline: 0 });
    const v = meta.versions[0]!;
    if (v.type !== "object") throw new Error("seed 9 must give an object version");
    const distribution = Array.from({ length: 200 }, (_, i) => i + 1);
    const wide = { ...meta, versions: [{ ...v, erasure: { ...v.erasure, dataBlocks: 100, parityBlocks: 100, index: 5, distribution } }] };
    const { ref } = refOf(wide);
    const moved = { ...wide, versions: [{ ...wide.versions[0]!, erasure: { ...wide.versions[0]!.erasure, index: 6 } }] };
    const frame = readFrame(encode(wide));
    const part = formatVersion === 1 ? "body" : "inline";
    const at = frame[part].findIndex((b, i) => b !== readFrame(encode(moved))[part][i]);
    // 0xc0 is nil in v1's body (FileCorrupt), index 192 in v2's drive section (valid).
    const parts = { body: frame.body.slice(), inline: frame.inline.slice() };
    parts[part][at] = 0xc0;
    const got = expectSame(ref, writeFrame({ body: parts.body, inline: [parts.inline] }, formatVersion));
    expect(got.ok).toBe(formatVersion === 2);
  });
});

describe("v2: drives' bodies are equal", () => {
  test("another drive's copy has the same body bytes, and agrees", () => {
    const rng = rngFromSeed(13);
    for (let i = 0; i < 50; i++) {
      const meta = randXlMeta(rng, { versions: 1 + (i % 4), maxInline: 64 });
      const bytes = encodeXlMeta(meta);
      const other = encodeXlMeta(onOtherDrive(rng, meta));
      expect(readFrame(other).body).toEqual(readFrame(bytes).body);
      expect(new SiblingRef(bytes, decodeXlMeta(bytes)).agrees(other)).toBe(true);
    }
  });

  test("a v1 copy of the same value does not take the shortcut, and still decodes equal", () => {
    const meta = randXlMeta(rngFromSeed(17), { versions: 3, maxInline: 16 });
    const bytes = encodeXlMeta(meta);
    const ref = new SiblingRef(bytes, decodeXlMeta(bytes));
    const v1 = encodeXlMeta(meta, { formatVersion: 1 });
    expect(ref.agrees(v1)).toBe(false);
    expect(expectSame(ref, v1)).toEqual({ ok: true, value: decodeXlMeta(bytes) });
  });
});
