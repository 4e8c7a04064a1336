import { describe, expect, test } from "bun:test";
import { createCodec, type EcErrorKind, isEcError, releaseCodecInstances } from "./index";
import { pattern, without } from "./testing.test-helpers";

function kindOf(fn: () => unknown): EcErrorKind | "no error" | "untyped" {
  try {
    fn();
    return "no error";
  } catch (err) {
    return isEcError(err) ? err.kind : "untyped";
  }
}

describe("bad geometry is a typed error before C", () => {
  test.each([
    [0, 2],
    [-1, 1],
    [1.5, 1],
    [4, -1],
    [Number.NaN, 2],
    [30, 3],
    [4, 2.5],
  ])("k=%p m=%p → EINVALIDPARAMS", (k, m) => {
    expect(kindOf(() => createCodec(k, m))).toBe("EINVALIDPARAMS");
  });

  test("unknown algorithm → EBACKENDNOTSUPP", () => {
    expect(kindOf(() => createCodec(4, 2, { algorithm: "reed_solomon_magic" }))).toBe("EBACKENDNOTSUPP");
    expect(kindOf(() => createCodec(4, 2, { algorithm: "none" }))).toBe("EBACKENDNOTSUPP");
  });
});

describe("bad shards are typed errors", () => {
  const codec = createCodec(4, 2);
  const size = 10_000;
  const shards = codec.encode(pattern(size));

  test("fewer than k shards → EINSUFFFRAGS", () => {
    expect(kindOf(() => codec.decode(without(shards, [0, 1, 2]), size))).toBe("EINSUFFFRAGS");
    expect(kindOf(() => codec.reconstruct(without(shards, [0, 4, 5]), size, [0]))).toBe("EINSUFFFRAGS");
  });

  test("a shard in the wrong position → EBADHEADER (fast path and C path)", () => {
    const swapped = [shards[1]!, shards[0]!, ...shards.slice(2)];
    expect(kindOf(() => codec.decode(swapped, size))).toBe("EBADHEADER");
    expect(kindOf(() => codec.decode([null, shards[2]!, shards[1]!, ...shards.slice(3)], size))).toBe("EBADHEADER");
  });

  test("a shard of another block size → EBADHEADER; wrong byte count → EINVALIDPARAMS", () => {
    const other = codec.encode(pattern(size - 1));
    expect(kindOf(() => codec.decode([other[0]!, ...shards.slice(1)], size))).toBe("EBADHEADER");
    expect(kindOf(() => codec.decode([shards[0]!.subarray(1), ...shards.slice(1)], size))).toBe("EINVALIDPARAMS");
  });

  test("garbage instead of a header → EBADHEADER", () => {
    const garbage = pattern(shards[0]!.length, 99);
    expect(kindOf(() => codec.decode([null, garbage, ...shards.slice(2)], size))).toBe("EBADHEADER");
  });

  test("wrong slot count and bad indices → EINVALIDPARAMS", () => {
    expect(kindOf(() => codec.decode(shards.slice(0, 5), size))).toBe("EINVALIDPARAMS");
    expect(kindOf(() => codec.reconstruct(without(shards, [0]), size, [6]))).toBe("EINVALIDPARAMS");
    expect(kindOf(() => codec.reconstruct(without(shards, [0]), size, [-1]))).toBe("EINVALIDPARAMS");
  });

  test("m = 0 cannot lose a shard → EINSUFFFRAGS", () => {
    const plain = createCodec(2, 0);
    const parts = plain.encode(pattern(100));
    expect(kindOf(() => plain.decode([parts[0]!, null], 100))).toBe("EINSUFFFRAGS");
  });
});

test("a closed codec → ECLOSED", () => {
  const codec = createCodec(2, 1);
  codec.close();
  expect(kindOf(() => codec.encode(pattern(10)))).toBe("ECLOSED");
  const plain = createCodec(1, 0);
  plain.close();
  expect(kindOf(() => plain.shardSize(10))).toBe("ECLOSED");
});

test("decode with every data shard present never calls C", () => {
  const codec = createCodec(4, 2);
  const size = 65_537;
  const block = pattern(size, 5);
  const shards = codec.encode(block);
  codec.shardSize(size); // memoised: from here on only a degraded decode needs the C instance
  releaseCodecInstances(); // destroys the native instance under this codec
  expect(Buffer.from(codec.decode(without(shards, [4, 5]), size)).equals(block)).toBe(true);
  expect(kindOf(() => codec.decode(without(shards, [0]), size))).toBe("ECLOSED");
  expect(Buffer.from(createCodec(4, 2).decode(without(shards, [0]), size)).equals(block)).toBe(true);
});
