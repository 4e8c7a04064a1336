import { describe, expect, test } from "bun:test";
import { createCodec, SHARD_HEADER_SIZE } from "./index";
import { pattern, subsets, without } from "./testing.test-helpers";

const GEOMETRIES: [number, number][] = [
  [1, 1],
  [2, 2],
  [4, 2],
  [8, 4],
  [12, 4],
];
const SIZES = [0, 1, 3, 1001, 12345, 1 << 20, (1 << 20) + 1];

describe.each(GEOMETRIES)("%i+%i", (k, m) => {
  const codec = createCodec(k, m);

  test("chooses ISA-L vand, and every shard has shardSize bytes", () => {
    expect(codec.algorithm).toBe("isa_l_rs_vand");
    for (const size of SIZES) {
      const shards = codec.encode(pattern(size, size + 7));
      expect(shards).toHaveLength(k + m);
      for (const shard of shards) expect(shard.length).toBe(codec.shardSize(size));
    }
  });

  test.each(SIZES)("decodes %i bytes with every combination of up to m shards missing", (size) => {
    const block = pattern(size, size + 11);
    const shards = codec.encode(block);
    let cases = 0;
    for (let lost = 0; lost <= m; lost++) {
      for (const missing of subsets(k + m, lost)) {
        const decoded = codec.decode(without(shards, missing), size);
        if (!Buffer.from(decoded).equals(block)) throw new Error(`${k}+${m} size ${size} missing ${missing} decoded wrong`);
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(m);
  }, 60_000); // 12+4 at 1 MiB is 2517 degraded decodes: ~2 s idle, far more on a busy shared machine

  test.each(SIZES)("reconstructs each missing shard of %i bytes byte-for-byte", (size) => {
    const shards = codec.encode(pattern(size, size + 13));
    for (let index = 0; index < k + m; index++) {
      const [rebuilt] = codec.reconstruct(without(shards, [index]), size, [index]);
      expect(Buffer.from(rebuilt!).equals(shards[index]!)).toBe(true);
    }
    const lastM = Array.from({ length: m }, (_, i) => k + m - 1 - i * 2).filter((i) => i >= 0);
    const rebuilt = codec.reconstruct(without(shards, lastM), size, lastM);
    rebuilt.forEach((shard, i) => expect(Buffer.from(shard).equals(shards[lastM[i]!]!)).toBe(true));
  });

  test("dataViews are zero-copy slices of the data shards that spell the block", () => {
    const size = 100_003;
    const block = pattern(size, 3);
    const shards = codec.encode(block);
    const views = codec.dataViews(shards, size);
    expect(views.every((v) => shards.slice(0, k).some((s) => s.buffer === v.buffer))).toBe(true);
    expect(Buffer.concat(views).equals(block)).toBe(true);
    const lost = Math.min(m, k); // degraded: the lost data shards are rebuilt, the others still shared
    const degraded = codec.dataViews(without(shards, [...Array(lost).keys()]), size);
    expect(Buffer.concat(degraded).equals(block)).toBe(true);
    expect(degraded.slice(lost).every((v) => shards.slice(lost, k).some((s) => s.buffer === v.buffer))).toBe(true);
  });
});

test("shards carry liberasurecode's header: size = header + ceil(block / k) for ISA-L", () => {
  const codec = createCodec(4, 2);
  expect(SHARD_HEADER_SIZE).toBe(80);
  expect(codec.shardSize(1 << 20)).toBe(80 + (1 << 18));
  expect(codec.shardSize(1001)).toBe(80 + 251);
  expect(codec.shardSize(0)).toBe(0);
});

describe("m = 0 (no parity, no C)", () => {
  test("k = 1: the only shard is the block itself", () => {
    const codec = createCodec(1, 0);
    const block = pattern(5000);
    const shards = codec.encode(block);
    expect(codec.algorithm).toBe("none");
    expect(shards).toEqual([block]);
    expect(codec.decode(shards, 5000)).toEqual(block);
  });

  test.each([0, 1, 7, 1 << 20])("k = 3 splits and joins %i bytes", (size) => {
    const codec = createCodec(3, 0);
    const block = pattern(size, 9);
    const shards = codec.encode(block);
    expect(shards.map((s) => s.length)).toEqual([0, 1, 2].map(() => codec.shardSize(size)));
    expect(Buffer.from(codec.decode(shards, size)).equals(block)).toBe(true);
  });
});

test("encode into a caller's buffer gives the same shards as views of that buffer", () => {
  for (const [k, m] of [
    [4, 2],
    [3, 0],
  ] as const) {
    const codec = createCodec(k, m);
    const block = pattern(70_001, 21);
    const into = new Uint8Array((k + m) * (codec.shardSize(block.length) + 15)).fill(0xee);
    const shards = codec.encode(block, into);
    expect(shards.every((s) => s.buffer === into.buffer)).toBe(true);
    expect(shards.map((s) => Buffer.from(s).toString("hex"))).toEqual(codec.encode(block).map((s) => Buffer.from(s).toString("hex")));
    expect(() => codec.encode(block, new Uint8Array(10))).toThrow();
  }
});

test("encode with headroom leaves that many free bytes before each shard, shards unchanged and 16-byte aligned", () => {
  for (const [k, m] of [
    [2, 2],
    [4, 2],
    [1, 0],
    [3, 0],
  ] as const) {
    const codec = createCodec(k, m);
    for (const size of [1, 70_001, 1 << 20]) {
      const block = pattern(size, size);
      const into = new Uint8Array(codec.encodedSize(size, 8)).fill(0xee);
      const shards = codec.encode(block, into, 8);
      expect(shards.map((s) => Buffer.from(s).toString("hex"))).toEqual(codec.encode(block).map((s) => Buffer.from(s).toString("hex")));
      let free = 0; // the end of the previous shard: the headroom lies between it and the next
      for (const s of shards) {
        expect(s.buffer).toBe(into.buffer);
        expect(s.byteOffset % 16).toBe(0);
        expect(s.byteOffset - free).toBeGreaterThanOrEqual(8);
        free = s.byteOffset + s.length;
      }
      expect(free).toBeLessThanOrEqual(into.length);
      expect(() => codec.encode(block, into.subarray(0, into.length - 1), 8)).toThrow();
    }
  }
});

test("a block assembled in dataSlots and encoded in place gives encode's shards exactly", () => {
  for (const [k, m] of [
    [2, 2],
    [4, 2],
    [3, 0],
    [1, 0],
  ] as const) {
    const codec = createCodec(k, m);
    for (const size of [1 << 20, 1001]) {
      // The ISA-L path learns a length's headers and checks itself against liberasurecode first.
      for (let i = 0; i < 3; i++) codec.encode(pattern(size, i));
      const block = pattern(size, 77);
      const into = new Uint8Array(codec.encodedSize(size, 8)).fill(0xee);
      const slots = codec.dataSlots(into, size, 8);
      expect(slots).not.toBeNull();
      let at = 0;
      for (const slot of slots!) {
        const n = Math.min(slot.length, size - at);
        slot.set(block.subarray(at, at + n));
        at += n;
      }
      expect(at).toBe(size);
      const shards = codec.encodeInPlace(into, size, 8);
      expect(shards.every((s) => s.buffer === into.buffer)).toBe(true);
      expect(shards.map((s) => Buffer.from(s).toString("hex"))).toEqual(codec.encode(block).map((s) => Buffer.from(s).toString("hex")));
    }
  }
});
