import { expect, test } from "bun:test";
import { EcError, isEcError, NativeCodec } from "./index";

function bytes(length: number, seed: number): Uint8Array {
  return new Uint8Array(length).map((_, i) => (i * 131 + seed * 7 + (i >> 8)) & 0xff);
}

function kindOf(fn: () => unknown): string {
  try {
    fn();
    return "no error";
  } catch (err) {
    return isEcError(err) ? err.kind : `untyped: ${String(err)}`;
  }
}

test("liberasurecode_decode rebuilds the block from any k fragments, in any order", () => {
  const codec = new NativeCodec({ backend: "isa_l_rs_vand", dataShards: 4, parityShards: 2 });
  try {
    const block = bytes(300_001, 1);
    const shards = codec.encode(block);
    const length = shards[0]!.length;
    expect(Buffer.from(codec.decode([shards[5]!, shards[1]!, shards[4]!, shards[3]!], length)).equals(block)).toBe(true);
    expect(Buffer.from(codec.decode(shards, length)).equals(block)).toBe(true);
  } finally {
    codec.destroy();
  }
});

test("arguments C would trust are checked first", () => {
  const codec = new NativeCodec({ backend: "isa_l_rs_vand", dataShards: 4, parityShards: 2 });
  const shards = codec.encode(bytes(1000, 2));
  const length = shards[0]!.length;
  expect(kindOf(() => codec.decode(shards.slice(0, 3), length))).toBe("EINSUFFFRAGS");
  expect(kindOf(() => codec.decode(shards.slice(0, 4), length + 1))).toBe("EINVALIDPARAMS");
  expect(kindOf(() => codec.decode(shards.slice(0, 4), 40))).toBe("EBADHEADER");
  expect(kindOf(() => codec.reconstruct(shards.slice(1, 5), length, 6))).toBe("EINVALIDPARAMS");
  expect(kindOf(() => codec.encode(new Uint8Array(0)))).toBe("EINVALIDPARAMS");
  expect(kindOf(() => new NativeCodec({ backend: "isa_l_rs_vand", dataShards: 4, parityShards: 0 }))).toBe("EINVALIDPARAMS");
  expect(kindOf(() => new NativeCodec({ backend: "nope" as "isa_l_rs_vand", dataShards: 4, parityShards: 2 }))).toBe("EBACKENDNOTSUPP");
  codec.destroy();
  codec.destroy(); // idempotent
  expect(kindOf(() => codec.encode(bytes(10, 3)))).toBe("ECLOSED");
});

test("a corrupt header is refused by C with its own code, mapped to a typed error", () => {
  const codec = new NativeCodec({ backend: "isa_l_rs_vand", dataShards: 2, parityShards: 1 });
  const shards = codec.encode(bytes(5000, 4));
  const bad = shards[2]!.slice();
  bad[20] = bad[20]! ^ 0xff; // inside the metadata covered by liberasurecode's header checksum
  const err = (() => {
    try {
      codec.decode([shards[1]!, bad], bad.length);
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(EcError);
  expect((err as EcError).kind).toBe("EBADHEADER");
  expect((err as EcError).code).toBe(207);
  codec.destroy();
});

test("RSS stays flat over thousands of native encode/decode/reconstruct cycles", () => {
  const codec = new NativeCodec({ backend: "isa_l_rs_vand", dataShards: 4, parityShards: 2 });
  const block = bytes(128 << 10, 5);
  const cycle = () => {
    const shards = codec.encode(block);
    codec.decode(shards.slice(2), shards[0]!.length);
    codec.reconstruct(shards.slice(1, 5), shards[0]!.length, 0);
  };
  for (let i = 0; i < 300; i++) cycle();
  Bun.gc(true);
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 3000; i++) cycle();
  Bun.gc(true);
  // One leaked 32 KiB fragment or 128 KiB decode buffer per cycle would add 96-384 MiB.
  expect(process.memoryUsage().rss - before).toBeLessThan(48 << 20);
  codec.destroy();
}, 60_000);
