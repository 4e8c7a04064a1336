import { describe, expect, test } from "bun:test";
import { createCodec } from "../ec/index";
import { frameShard } from "./bitrot";
import { decodeRange, readBlockShards, type DecodeSource } from "./decode-stream";
import { DriveError } from "../storage/index";
import { releaseChunk } from "../lib/index";
import { BufferPool } from "./buffers";

/** Shards of `data` (one part, 64 KiB blocks) held in memory, framed as on disk. */
function source(data: Uint8Array, opts: { corrupt?: number; corruptAt?: number; missing?: number; pool?: BufferPool } = {}) {
  const codec = createCodec(2, 1);
  const blockSize = 64 * 1024;
  const files: Uint8Array[][] = [[], [], []];
  for (let off = 0; off < data.length; off += blockSize) {
    codec.encode(data.subarray(off, off + blockSize)).forEach((s, i) => files[i]!.push(frameShard(s)));
  }
  const joined = files.map((fs) => Buffer.concat(fs));
  if (opts.corrupt !== undefined) joined[opts.corrupt]![opts.corruptAt ?? 20]! ^= 1;
  const bad: string[] = [];
  const reads: string[] = [];
  const src: DecodeSource = {
    codec,
    k: 2,
    blockSize,
    parts: [{ number: 1, size: data.length, etag: "" }],
    present: [true, true, true],
    loc: { bucket: "b", key: "k" },
    onBad: (shard, why) => bad.push(`${shard}:${why}`),
    read: async (shard, _part, offset, length) => {
      reads.push(`${shard}@${offset}+${length}`);
      if (shard === opts.missing) throw new DriveError("FileNotFound", "test", "gone");
      return joined[shard]!.subarray(offset, offset + length);
    },
  };
  if (opts.pool) {
    const read = src.read;
    src.frames = { pool: opts.pool, readInto: async (at, into) => into.set(await read(at.shard, at.part, at.offset, into.length)) };
  }
  return { src, bad, codec, reads };
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

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(body).arrayBuffer());
}

const BLOCKS = 9;
const objectBytes = () => crypto.getRandomValues(new Uint8Array(BLOCKS * 64 * 1024 - 1234));

test("a healthy read fetches each data shard's frame once per block, never parity", async () => {
  const data = objectBytes();
  const { src, bad, reads } = source(data);
  expect((await readAll(decodeRange(src, { start: 0, end: data.length - 1 }, { done: () => {} }))).equals(Buffer.from(data))).toBe(true);
  expect(bad).toEqual([]);
  expect(reads.every((r) => !r.startsWith("2@"))).toBe(true);
  expect(reads).toHaveLength(2 * BLOCKS);
});

test("ranges that start and end inside blocks decode exactly", async () => {
  const data = objectBytes();
  const { src } = source(data);
  for (const [start, end] of [
    [1, 1],
    [65_535, 65_536],
    [100_000, 4 * 65_536 + 7],
    [4 * 65_536 - 1, data.length - 1],
  ] as const) {
    const got = await readAll(decodeRange(src, { start, end }, { done: () => {} }));
    expect(got.equals(Buffer.from(data.subarray(start, end + 1)))).toBe(true);
  }
});

test("a missing data shard file: parity is read instead for every block and the loss is reported once", async () => {
  const data = objectBytes();
  const { src, bad } = source(data, { missing: 1 });
  expect((await readAll(decodeRange(src, { start: 0, end: data.length - 1 }, { done: () => {} }))).equals(Buffer.from(data))).toBe(true);
  expect(bad).toEqual(["1:missing"]);
});

test("a corrupt frame in the middle of the file is reported and decoded around", async () => {
  const data = objectBytes();
  const frame = 8 + createCodec(2, 1).shardSize(64 * 1024);
  const { src, bad } = source(data, { corrupt: 0, corruptAt: 6 * frame + 100 });
  expect((await readAll(decodeRange(src, { start: 0, end: data.length - 1 }, { done: () => {} }))).equals(Buffer.from(data))).toBe(true);
  expect(bad).toEqual(["0:corrupt"]);
});

test("readBlockShards (heal) returns k verified shards of one block", async () => {
  const data = objectBytes();
  const { src, codec, reads } = source(data);
  const shards = await readBlockShards(src, 0, BLOCKS - 1);
  expect(shards.filter(Boolean)).toHaveLength(2);
  expect(Buffer.concat(codec.dataViews(shards, data.length - (BLOCKS - 1) * 64 * 1024)).equals(Buffer.from(data.subarray((BLOCKS - 1) * 64 * 1024)))).toBe(true);
  expect(reads).toHaveLength(2);
});

describe("frames read into pooled buffers", () => {
  const data = crypto.getRandomValues(new Uint8Array(640_000)); // 10 blocks of 64 KiB

  test("chunks the consumer releases go back to the pool and carry the next blocks; bytes stay right", async () => {
    const pool = new BufferPool();
    const { src, codec } = source(data, { pool });
    const copies: Uint8Array[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of decodeRange(src, { start: 0, end: data.length - 1 }, { done: () => {} })) {
      copies.push(chunk.slice());
      buffers.add(chunk.buffer);
      releaseChunk(chunk);
    }
    expect(Buffer.concat(copies).equals(data)).toBe(true);
    expect(buffers.size).toBeLessThanOrEqual(2 * src.k); // the block read ahead, and the one being consumed
    expect(pool.idleBytes).toBeGreaterThan(0);
    codec.close();
  });

  test("a chunk nobody releases is never reused: all of them still hold their bytes at the end", async () => {
    const pool = new BufferPool();
    const { src, codec } = source(data, { pool });
    const kept: Uint8Array[] = [];
    for await (const chunk of decodeRange(src, { start: 0, end: data.length - 1 }, { done: () => {} })) kept.push(chunk);
    expect(Buffer.concat(kept).equals(data)).toBe(true);
    expect(pool.idleBytes).toBe(0);
    codec.close();
  });

  test("a block that fails (too few shards) gives its frames back", async () => {
    const pool = new BufferPool();
    const { src, codec } = source(data, { pool, missing: 0, corrupt: 1 });
    await expect(new Response(decodeRange(src, { start: 0, end: data.length - 1 }, { done: () => {} })).arrayBuffer()).rejects.toThrow();
    expect(pool.idleBytes).toBeGreaterThan(0);
    codec.close();
  });
});
