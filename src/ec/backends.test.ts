import { afterEach, describe, expect, test } from "bun:test";
import { createCodec, preferredBackends } from "./index";
import { pattern, subsets, without } from "./testing.test-helpers";

const saved = process.env.CAIRN_EC_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.CAIRN_EC_BACKEND;
  else process.env.CAIRN_EC_BACKEND = saved;
});

/** Loses every combination of exactly m shards; returns how many failed to decode. */
function lossFailures(k: number, m: number, algorithm?: string): number {
  const codec = createCodec(k, m, algorithm === undefined ? {} : { algorithm });
  const block = pattern(997, k * 100 + m);
  const shards = codec.encode(block);
  let failures = 0;
  for (const missing of subsets(k + m, m)) {
    try {
      if (!Buffer.from(codec.decode(without(shards, missing), block.length)).equals(block)) failures++;
    } catch {
      failures++;
    }
  }
  return failures;
}

describe("fallback backends when ISA-L is forced off", () => {
  test.each(["jerasure_rs_vand", "liberasurecode_rs_vand"])("CAIRN_EC_BACKEND=%s encodes, decodes, rebuilds", (name) => {
    process.env.CAIRN_EC_BACKEND = name;
    const codec = createCodec(4, 2);
    expect(codec.algorithm).toBe(name);
    expect(lossFailures(4, 2)).toBe(0);
    const size = (1 << 20) + 1;
    const block = pattern(size, 77);
    const shards = codec.encode(block);
    expect(Buffer.from(codec.decode(without(shards, [0, 3]), size)).equals(block)).toBe(true);
    const [rebuilt] = codec.reconstruct(without(shards, [1]), size, [1]);
    expect(Buffer.from(rebuilt!).equals(shards[1]!)).toBe(true);
  });

  test("the option wins over the environment", () => {
    process.env.CAIRN_EC_BACKEND = "liberasurecode_rs_vand";
    expect(createCodec(4, 2, { algorithm: "jerasure_rs_vand" }).algorithm).toBe("jerasure_rs_vand");
  });

  test("parity differs between backends, which is why algorithm is recorded", () => {
    const block = pattern(4096, 1);
    const isa = createCodec(4, 2, { algorithm: "isa_l_rs_vand" }).encode(block);
    const jer = createCodec(4, 2, { algorithm: "jerasure_rs_vand" }).encode(block);
    // The first parity row is plain XOR in both; the second differs.
    expect(Buffer.from(isa[5]!.subarray(80)).equals(jer[5]!.subarray(80))).toBe(false);
  });
});

describe("the preferred backend survives every loss of m shards (MDS)", () => {
  test("isa_l_rs_vand is not MDS for m >= 5, so it is not chosen there", () => {
    expect(lossFailures(6, 5, "isa_l_rs_vand")).toBeGreaterThan(0);
    expect(preferredBackends(6, 5)[0]).toBe("isa_l_rs_cauchy");
    expect(preferredBackends(22, 4)[0]).toBe("isa_l_rs_cauchy");
    expect(preferredBackends(16, 4)[0]).toBe("isa_l_rs_vand");
  });

  test.each([
    [16, 4],
    [21, 4],
    [29, 3],
    [30, 2],
    [6, 5],
    [8, 8],
  ])("%i+%i", (k, m) => {
    expect(lossFailures(k, m)).toBe(0);
  }, 60_000); // up to 12870 decodes (8+8); small blocks, but the shared machine can be slow
});
