import { expect, test } from "bun:test";
import { MD5_WORKERS, StreamMd5 } from "./md5";

function random(size: number, shared = false): Uint8Array {
  const out = new Uint8Array(shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  for (let off = 0; off < size; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(size, off + 65536)));
  return out;
}

function reference(parts: Uint8Array[]): string {
  const h = new Bun.CryptoHasher("md5");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

test("large shared blocks are hashed by the worker, in order, and give node's MD5", async () => {
  const blocks = [random(1 << 20, true), random(1 << 20, true), random(12345, true)];
  const md5 = new StreamMd5();
  const acks = blocks.map((b) => md5.update(b));
  expect(md5.where).toBe("worker");
  await Promise.all(acks);
  expect(await md5.hex()).toBe(reference(blocks));
});

test("a body smaller than the offload threshold is hashed here", async () => {
  const body = random(4096);
  const md5 = new StreamMd5();
  await md5.update(body);
  expect(md5.where).toBe("here");
  expect(await md5.hex()).toBe(reference([body]));
});

test("a block in ordinary memory is copied for the worker, and the result is the same", async () => {
  const blocks = [random(1 << 20), random(300_000)];
  const md5 = new StreamMd5();
  for (const b of blocks) await md5.update(b);
  expect(md5.where).toBe("worker");
  expect(await md5.hex()).toBe(reference(blocks));
});

test("the empty body", async () => {
  expect(await new StreamMd5().hex()).toBe("d41d8cd98f00b204e9800998ecf8427e");
});

test("many bodies interleaved on the one worker keep their own state; a dropped one does not disturb them", async () => {
  const bodies = Array.from({ length: 4 }, () => [random(1 << 20, true), random(1 << 19, true)]);
  const hashers = bodies.map(() => new StreamMd5());
  const aborted = new StreamMd5();
  await aborted.update(random(1 << 20, true));
  for (let i = 0; i < 2; i++) await Promise.all(hashers.map((h, j) => h.update(bodies[j]![i]!)));
  aborted.dispose();
  const digests = await Promise.all(hashers.map((h) => h.hex()));
  expect(digests).toEqual(bodies.map(reference));
});

test("bodies hashed at once go to different workers, one per core, each giving its own MD5", async () => {
  const n = Math.min(MD5_WORKERS, 2);
  const bodies = Array.from({ length: n }, () => random(1 << 20, true));
  const hashers = bodies.map(() => new StreamMd5());
  const acks = hashers.map((h, i) => h.update(bodies[i]!));
  expect(new Set(hashers.map((h) => h.workerId)).size).toBe(n);
  await Promise.all(acks);
  expect(await Promise.all(hashers.map((h) => h.hex()))).toEqual(bodies.map((b) => reference([b])));
});
