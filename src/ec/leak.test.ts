import { expect, test } from "bun:test";
import { createCodec } from "./index";
import { pattern, without } from "./testing.test-helpers";

/** One encode, one degraded decode and one rebuild: every C allocation path the codec has. */
function cycle(codec: ReturnType<typeof createCodec>, block: Uint8Array): void {
  const shards = codec.encode(block);
  const decoded = codec.decode(without(shards, [0, 5]), block.length);
  if (decoded.length !== block.length) throw new Error("short decode");
  codec.reconstruct(without(shards, [1]), block.length, [1]);
}

function rssAfterGc(): number {
  Bun.gc(true);
  return process.memoryUsage().rss;
}

test("RSS stays flat over thousands of encode/decode/reconstruct cycles", () => {
  const codec = createCodec(4, 2);
  const block = pattern(256 << 10, 42);
  for (let i = 0; i < 300; i++) cycle(codec, block); // let malloc and the JS heap reach steady state
  const before = rssAfterGc();
  const cycles = 4000;
  for (let i = 0; i < cycles; i++) cycle(codec, block);
  const grown = rssAfterGc() - before;
  // A leak of even one C buffer per cycle (>= 64 KiB here) would add >= 250 MiB.
  expect(grown).toBeLessThan(48 << 20);
}, 60_000); // ~2 s idle; the shared test machine can be several times slower
