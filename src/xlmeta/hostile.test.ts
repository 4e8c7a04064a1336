/**
 * Files whose checksums are valid but whose body is not what Cairn writes: a hostile or buggy
 * writer. The decoder must answer FileCorrupt (never crash, never a wrong value).
 */
import { describe, expect, test } from "bun:test";
import { Packr } from "msgpackr";
import { decodeXlMeta, encodeXlMeta, XlMetaError } from "./index";
import { acceptedFrame, writeFrame, type FrameParts } from "./frame";
import { versionToWire } from "./wire";
import { randBytes, randObjectVersion, randXlMeta, rngFromSeed } from "./arbitrary";

const packr = new Packr({ useRecords: false, variableMapSize: true });

/**
 * Body cases are framed as v1: the body rules are the same in v1 and v2, and a v1 body carries
 * its own erasure indexes, so each case fails for its own reason and not for want of a drive
 * section. v2's drive section has its own cases below.
 */
const v1Frame = (parts: FrameParts) => writeFrame(parts, 1);

function frame(body: unknown, inline: Uint8Array[] = []): Uint8Array {
  return v1Frame({ body: packr.pack(body), inline });
}

function expectCorrupt(bytes: Uint8Array): void {
  let caught: unknown;
  try {
    decodeXlMeta(bytes);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(XlMetaError);
  expect((caught as XlMetaError).kind).toBe("FileCorrupt");
}

const object = versionToWire(
  randObjectVersion(rngFromSeed(3), { versionId: "v1", modTime: 10n, inline: true }),
  true,
);
const marker = (id: string | null, mt: unknown) => ({ t: 2, id, mt });

describe("checksum-valid but malformed bodies", () => {
  test("the baseline body decodes (so the cases below fail for their own reason)", () => {
    const bytes = frame({ v: [object], i: [["v1", 3]] }, [new Uint8Array([1, 2, 3])]);
    expect(decodeXlMeta(bytes).inline.get("v1")).toEqual(new Uint8Array([1, 2, 3]));
  });

  const cases: [string, unknown, Uint8Array[]?][] = [
    ["not a map", [1, 2, 3]],
    ["versions not an array", { v: {}, i: [] }],
    ["missing inline index", { v: [] }],
    ["unknown version type", { v: [{ t: 9, id: "a", mt: 1n }], i: [] }],
    ["mod time as a float", { v: [marker("a", 1.5)], i: [] }],
    ["mod time as a string", { v: [marker("a", "1")], i: [] }],
    ["negative mod time", { v: [marker("a", -1n)], i: [] }],
    ["numeric version id", { v: [{ t: 2, id: 5, mt: 1n }], i: [] }],
    ["unsorted versions", { v: [marker("a", 1n), marker("b", 2n)], i: [] }],
    ["duplicate ids", { v: [marker("a", 2n), marker("a", 1n)], i: [] }],
    ["size negative", { v: [{ ...object, sz: -1 }], i: [] }],
    ["size fractional", { v: [{ ...object, sz: 1.5 }], i: [] }],
    ["size beyond 2^53", { v: [{ ...object, sz: 2 ** 60 }], i: [] }],
    ["inline flag as a number", { v: [{ ...object, il: 1 }], i: [] }],
    ["inline with a data dir", { v: [{ ...object, dd: "x" }], i: [] }],
    ["metadata as a map", { v: [{ ...object, md: { a: "b" } }], i: [] }],
    ["metadata odd pair list", { v: [{ ...object, md: ["a"] }], i: [] }],
    ["metadata duplicate key", { v: [{ ...object, md: ["a", "1", "a", "2"] }], i: [] }],
    ["metadata non-string value", { v: [{ ...object, md: ["a", 1] }], i: [] }],
    ["unknown checksum type", { v: [{ ...object, ck: "MD5" }], i: [] }],
    ["part number 0", { v: [{ ...object, pt: [{ n: 0, sz: 1, et: "" }] }], i: [] }],
    ["parts out of order", { v: [{ ...object, sz: 2, pt: [{ n: 2, sz: 1, et: "" }, { n: 1, sz: 1, et: "" }] }], i: [] }],
    ["part numbers repeat", { v: [{ ...object, sz: 2, pt: [{ n: 1, sz: 1, et: "" }, { n: 1, sz: 1, et: "" }] }], i: [] }],
    ["part sizes do not add up", { v: [{ ...object, sz: 3, pt: [{ n: 1, sz: 1, et: "" }] }], i: [] }],
    ["k = 0", { v: [{ ...object, ec: { ...(object.ec as object), k: 0 } }], i: [] }],
    ["index beyond k+m", { v: [{ ...object, ec: { ...(object.ec as object), ix: 99 } }], i: [] }],
    ["distribution repeats", { v: [{ ...object, ec: { ...(object.ec as object), ds: [1, 1] } }], i: [] }],
    ["unknown bitrot", { v: [{ ...object, ec: { ...(object.ec as object), br: "md5" } }], i: [] }],
    ["orphan inline data", { v: [marker("a", 1n)], i: [["a", 1]] }, [new Uint8Array(1)]],
    ["inline listed twice", { v: [object], i: [["v1", 1], ["v1", 1]] }, [new Uint8Array(2)]],
    ["inline index overruns", { v: [object], i: [["v1", 5]] }, [new Uint8Array(2)]],
    ["unindexed inline bytes", { v: [object], i: [["v1", 1]] }, [new Uint8Array(2)]],
    ["inline entry not a pair", { v: [object], i: [["v1"]] }],
  ];
  // Every row gets its inline list: bun passes a trailing callback argument to short rows.
  test.each(cases.map(([name, body, inline]) => [name, body, inline ?? []] as const))("%s", (_name, body, inline) => {
    expectCorrupt(frame(body, inline));
  });

  test("bytes that are not msgpack, or msgpack with trailing bytes", () => {
    expectCorrupt(v1Frame({ body: new Uint8Array([0xc1]), inline: [] }));
    expectCorrupt(v1Frame({ body: new Uint8Array([0x92, 0x01]), inline: [] }));
    const good = packr.pack({ v: [], i: [] });
    expectCorrupt(v1Frame({ body: new Uint8Array([...good, 0x00]), inline: [] }));
  });

  test("deeply nested arrays are refused without recursing", () => {
    const deep = new Uint8Array(200_000).fill(0x91); // [[[[…]]]]
    deep[deep.length - 1] = 0x00;
    expectCorrupt(v1Frame({ body: deep, inline: [] }));
    const seventeen = new Uint8Array([...new Array(17).fill(0x91), 0x00]);
    expectCorrupt(v1Frame({ body: seventeen, inline: [] }));
  });

  test("huge declared sizes are refused before anything is allocated", () => {
    for (const body of [
      [0xdd, 0x04, 0x00, 0x00, 0x00], // array32 of 64M items
      [0xdf, 0xff, 0xff, 0xff, 0xff], // map32 of 4G entries
      [0xdc, 0xff, 0xff], // array16 of 65535 items
      [0xdb, 0xff, 0xff, 0xff, 0xff, 0x41], // str32 of 4 GiB
      [0xc6, 0x00, 0x01, 0x00, 0x00], // bin32 of 64 KiB
      [0x92, 0xdd, 0x00, 0x00, 0xff, 0xff, 0x01], // nested: owes more than remains
    ]) {
      expectCorrupt(v1Frame({ body: new Uint8Array(body), inline: [] }));
    }
  });

  test("extension types (dates, records) are refused", () => {
    const withDate = new Packr({ useRecords: false }).pack({ v: [], i: [], d: new Date(0) });
    expectCorrupt(v1Frame({ body: withDate, inline: [] }));
    const withRecord = new Packr({ useRecords: true }).pack({ v: [], i: [] });
    expectCorrupt(v1Frame({ body: withRecord, inline: [] }));
  });

  test("random bodies with valid checksums never crash", () => {
    const rng = rngFromSeed(99);
    for (let i = 0; i < 2000; i++) {
      expectCorrupt(v1Frame({ body: randBytes(rng, 1 + (i % 64)), inline: [] }));
    }
  });

  test("every byte of a real body flipped, checksums recomputed: FileCorrupt or a valid value", () => {
    const meta = randXlMeta(rngFromSeed(21), { versions: 4, maxInline: 8 });
    const encoded = encodeXlMeta(meta);
    const bodyLen = new DataView(encoded.buffer).getUint32(12, true);
    const body = encoded.subarray(24, 24 + bodyLen);
    const inline = [acceptedFrame(encoded).inline]; // v2: the drive section and the inline bytes
    let accepted = 0;
    for (let i = 0; i < body.length; i++) {
      const damaged = body.slice();
      damaged[i]! ^= 0x55;
      const bytes = writeFrame({ body: damaged, inline });
      try {
        const decoded = decodeXlMeta(bytes);
        // Accepted only if it is a well-formed value the codec can write and read back.
        expect(decodeXlMeta(encodeXlMeta(decoded))).toStrictEqual(decoded);
        accepted++;
      } catch (err) {
        expect(err).toBeInstanceOf(XlMetaError);
      }
    }
    // Many flips land inside strings and remain legal; many do not. Both paths ran.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(body.length);
  });
});

describe("v2 drive section", () => {
  const meta = randXlMeta(rngFromSeed(31), { versions: 4, maxInline: 8 });
  const encoded = encodeXlMeta(meta);
  const { body, inline } = acceptedFrame(encoded);
  const count = meta.versions.length;
  /** The file with its inline section's first `cut` bytes replaced by `drive`. */
  const withDrive = (drive: number[], cut = 4 + 2 * count) =>
    writeFrame({ body, inline: [new Uint8Array(drive), inline.subarray(cut)] });
  const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  const indexes = meta.versions.map((v) => (v.type === "object" ? v.erasure.index : 0));
  const section = (ix: number[], n = ix.length) => [...u32(n), ...ix.flatMap((i) => [i & 0xff, i >>> 8])];
  const firstObject = meta.versions.findIndex((v) => v.type === "object");
  const firstMarker = meta.versions.findIndex((v) => v.type === "deleteMarker");

  test("the sample holds an object and a delete marker, and decodes as written", () => {
    expect(firstObject).toBeGreaterThanOrEqual(0);
    expect(firstMarker).toBeGreaterThanOrEqual(0);
    expect(decodeXlMeta(withDrive(section(indexes)))).toStrictEqual(decodeXlMeta(encoded));
  });

  test.each([
    ["missing", () => writeFrame({ body, inline: [] })],
    ["shorter than its count", () => withDrive(u32(2))],
    ["counting one version too few", () => withDrive(section(indexes.slice(1)))],
    ["counting far more than it holds", () => withDrive(section(indexes, 0xffff_ffff))],
    ["index 0 for an object", () => withDrive(section(indexes.map((ix, i) => (i === firstObject ? 0 : ix))))],
    ["index beyond k + m", () => withDrive(section(indexes.map((ix, i) => (i === firstObject ? 300 : ix))))],
    ["an index for a delete marker", () => withDrive(section(indexes.map((ix, i) => (i === firstMarker ? 1 : ix))))],
  ])("%s: FileCorrupt", (_name, bytes) => {
    expectCorrupt(bytes());
  });

  test("a v2 body that also holds the index, or a v1 body without it: FileCorrupt", () => {
    const withIx = packr.pack({ v: meta.versions.map((v) => versionToWire(v, true)), i: [] });
    expectCorrupt(writeFrame({ body: withIx, inline: [new Uint8Array(section(indexes))] }));
    const withoutIx = packr.pack({ v: meta.versions.map((v) => versionToWire(v, false)), i: [] });
    expectCorrupt(v1Frame({ body: withoutIx, inline: [] }));
  });
});
