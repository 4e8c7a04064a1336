import { expect, test } from "bun:test";
import { createCodec } from "../ec/index";
import { frameShard } from "./bitrot";
import { decodeRange, type DecodeSource } from "./decode-stream";

/** Shards of `data` (one part, 64 KiB blocks) held in memory, framed as on disk. */
function source(data: Uint8Array, opts: { corrupt?: number } = {}) {
  const codec = createCodec(2, 1);
  const blockSize = 64 * 1024;
  const files: Uint8Array[][] = [[], [], []];
  for (let off = 0; off < data.length; off += blockSize) {
    codec.encode(data.subarray(off, off + blockSize)).forEach((s, i) => files[i]!.push(frameShard(s)));
  }
  const joined = files.map((fs) => Buffer.concat(fs));
  if (opts.corrupt !== undefined) joined[opts.corrupt]![20]! ^= 1;
  const bad: string[] = [];
  const src: DecodeSource = {
    codec,
    k: 2,
    blockSize,
    parts: [{ number: 1, size: data.length, etag: "" }],
    present: [true, true, true],
    loc: { bucket: "b", key: "k" },
    onBad: (shard, why) => bad.push(`${shard}:${why}`),
    read: async (shard, _part, offset, length) => joined[shard]!.subarray(offset, offset + length),
  };
  return { src, bad, codec };
}

test("a range across blocks decodes exactly; a corrupt data shard is reported and bypassed", async () => {
  const data = crypto.getRandomValues(new Uint8Array(200_000));
  const { src, bad, codec } = source(data, { corrupt: 0 });
  let released = 0;
  const body = decodeRange(src, { start: 60_000, end: 140_000 }, { done: () => released++ });
  const back = new Uint8Array(await new Response(body).arrayBuffer());
  expect(Buffer.from(back).equals(Buffer.from(data.subarray(60_000, 140_001)))).toBe(true);
  expect(bad).toEqual(["0:corrupt"]);
  expect(released).toBe(1);
  codec.close();
});

test("a body nobody reads gives its lock back after the idle time", async () => {
  const data = crypto.getRandomValues(new Uint8Array(200_000));
  const { src, codec } = source(data);
  let released = 0;
  const body = decodeRange(src, { start: 0, end: data.length - 1 }, { done: () => released++, idleMs: 5 });
  const reader = body.getReader();
  await reader.read();
  for (let i = 0; i < 100 && released === 0; i++) await Bun.sleep(10);
  expect(released).toBe(1);
  // reading on still works (nothing was overwritten) and does not release twice
  let n = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) n += r.value.length;
  expect(n).toBeGreaterThan(0);
  expect(released).toBe(1);
  codec.close();
});
