/**
 * The ISA-L encode path (isal-encode.ts) must give liberasurecode's bytes exactly, headers and
 * parity, for every backend it serves, geometry and block length: shards on disk are
 * liberasurecode fragments, and a degraded read hands them back to liberasurecode.
 */
import { afterEach, expect, test } from "bun:test";
import { encodedLength, NativeCodec, type BackendName } from "./index";

const MiB = 1 << 20;
const SIZES = [1, 15, 16, 17, 1001, 65_535, 262_147, MiB - 1, MiB];
const opened: NativeCodec[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.destroy();
});

function random(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let off = 0; off < length; off += 65_536) crypto.getRandomValues(out.subarray(off, Math.min(length, off + 65_536)));
  return out;
}

function codec(backend: BackendName, k: number, m: number, direct: boolean): NativeCodec {
  const before = process.env.CAIRN_EC_ISAL_DIRECT;
  process.env.CAIRN_EC_ISAL_DIRECT = direct ? "1" : "0";
  try {
    const c = new NativeCodec({ backend, dataShards: k, parityShards: m });
    opened.push(c);
    return c;
  } finally {
    if (before === undefined) delete process.env.CAIRN_EC_ISAL_DIRECT;
    else process.env.CAIRN_EC_ISAL_DIRECT = before;
  }
}

const hex = (shards: Uint8Array[]) => shards.map((s) => Buffer.from(s).toString("hex"));

test.each([
  ["isa_l_rs_vand", 2, 2],
  ["isa_l_rs_vand", 4, 2],
  ["isa_l_rs_vand", 12, 4],
  ["isa_l_rs_cauchy", 4, 2],
  ["isa_l_rs_cauchy", 10, 6],
] as const)("%s %i+%i: the direct path is taken and matches liberasurecode byte for byte", (backend, k, m) => {
  const direct = codec(backend, k, m, true);
  const reference = codec(backend, k, m, false);
  for (const size of SIZES) {
    // The first encode of a length learns its headers, the next ones may take the direct path.
    for (let round = 0; round < 3; round++) {
      const block = random(size);
      const into = new Uint8Array(encodedLength(k + m, reference.fragmentSize(size), 8)).fill(0xee);
      expect(hex(direct.encode(block, into, 8))).toEqual(hex(reference.encode(block)));
    }
  }
  expect(direct.direct).toBe(true);
  expect(reference.direct).toBe(false);
}, 60_000);

test("shards from the direct path decode and rebuild through liberasurecode", () => {
  const direct = codec("isa_l_rs_vand", 4, 2, true);
  const block = random(MiB);
  for (let i = 0; i < 3; i++) direct.encode(random(MiB));
  expect(direct.direct).toBe(true);
  const shards = direct.encode(block);
  const length = shards[0]!.length;
  expect(Buffer.from(direct.decode([shards[5]!, shards[4]!, shards[1]!, shards[3]!], length)).equals(block)).toBe(true);
  expect(Buffer.from(direct.reconstruct([shards[1]!, shards[2]!, shards[4]!, shards[5]!], length, 0)).equals(shards[0]!)).toBe(true);
});
