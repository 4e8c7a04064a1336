import { expect, test } from "bun:test";
import { BufferPool } from "./buffers";

const KiB = 1024;
const MiB = 1024 * KiB;

test("buffers taken at the same time are distinct, and a given buffer is reused", () => {
  const pool = new BufferPool();
  const taken = Array.from({ length: 40 }, () => pool.take(64 * KiB));
  expect(new Set(taken.map((b) => b.buffer)).size).toBe(40);
  for (const b of taken) pool.give(b);
  expect(pool.idleBytes).toBe(40 * 64 * KiB);
  const again = Array.from({ length: 40 }, () => pool.take(64 * KiB));
  expect(new Set(again.map((b) => b.buffer)).size).toBe(40);
  expect(again.every((b) => taken.includes(b))).toBe(true);
  expect(pool.idleBytes).toBe(0);
});

test("idle buffers are kept up to idleBytes, not by count", () => {
  const pool = new BufferPool({ idleBytes: 256 * KiB });
  const taken = Array.from({ length: 6 }, () => pool.take(64 * KiB));
  for (const b of taken) pool.give(b);
  expect(pool.idleBytes).toBe(256 * KiB);
  const reused = Array.from({ length: 6 }, () => pool.take(64 * KiB)).filter((b) => taken.includes(b));
  expect(reused).toHaveLength(4);
});

test("a buffer given twice is kept once, so two takers never share it", () => {
  const pool = new BufferPool();
  const b = pool.take(64 * KiB);
  pool.give(b);
  pool.give(b);
  expect(pool.take(64 * KiB)).toBe(b);
  expect(pool.take(64 * KiB)).not.toBe(b);
});

test("sizes and kinds do not mix: a shared buffer is never handed out as a plain one", () => {
  const pool = new BufferPool();
  const shared = pool.takeShared(64 * KiB);
  expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
  pool.give(shared);
  pool.give(pool.take(32 * KiB));
  expect(pool.take(64 * KiB)).not.toBe(shared);
  expect(pool.take(64 * KiB).buffer).toBeInstanceOf(ArrayBuffer);
  expect(pool.takeShared(64 * KiB)).toBe(shared);
});

test("after a quiet spell without takes, idle buffers beyond the floor are dropped", async () => {
  const pool = new BufferPool({ floorBytes: 64 * KiB, trimAfterMs: 20 });
  const taken = Array.from({ length: 4 }, () => pool.take(64 * KiB));
  for (const b of taken) pool.give(b);
  expect(pool.idleBytes).toBe(4 * 64 * KiB);
  for (let i = 0; i < 100 && pool.idleBytes > 64 * KiB; i++) await Bun.sleep(20);
  expect(pool.idleBytes).toBe(64 * KiB);
});

test("a dropped buffer's pages go back to the kernel at once (it reads as zeros), a kept one's stay", async () => {
  const pool = new BufferPool({ idleBytes: 2 * MiB, floorBytes: MiB, trimAfterMs: 20 });
  const taken = [pool.take(MiB), pool.take(MiB), pool.takeShared(MiB)];
  for (const b of taken) b.fill(7);
  for (const b of taken) pool.give(b); // the third does not fit: dropped
  expect(taken[2]!.some((v) => v !== 0)).toBe(false);
  for (let i = 0; i < 100 && pool.idleBytes > MiB; i++) await Bun.sleep(20); // trimmed to the floor
  const kept = pool.take(MiB);
  const dropped = taken.find((b) => b !== kept && b !== taken[2])!;
  expect(kept[MiB >> 1]).toBe(7);
  expect(dropped[MiB >> 1]).toBe(0);
});

test("reservations beyond inUseBytes wait, first come first served, until earlier ones are released", async () => {
  const pool = new BufferPool({ inUseBytes: 100, reserveWaitMs: 60_000 });
  const first = await pool.reserve(60);
  const order: string[] = [];
  const big = pool.reserve(70).then((r) => (order.push("big"), r));
  const small = pool.reserve(10).then((r) => (order.push("small"), r));
  await Bun.sleep(5);
  expect(order).toEqual([]); // the small one fits, but does not overtake the big one queued before it
  expect(pool.reservedBytes).toBe(60);
  first();
  first(); // a second release gives nothing back twice
  const [releaseBig, releaseSmall] = await Promise.all([big, small]);
  expect(order).toEqual(["big", "small"]);
  expect(pool.reservedBytes).toBe(80);
  releaseBig();
  releaseSmall();
  expect(pool.reservedBytes).toBe(0);
});

test("a request larger than the bound runs alone, and a reservation that waits too long proceeds over the bound", async () => {
  const pool = new BufferPool({ inUseBytes: 100, reserveWaitMs: 20 });
  const huge = await pool.reserve(500);
  expect(pool.reservedBytes).toBe(100);
  const late = await pool.reserve(30); // nothing is released: after 20 ms it goes ahead anyway
  expect(pool.reservedBytes).toBe(130);
  huge();
  late();
  expect(pool.reservedBytes).toBe(0);
});

test("a full pool makes room for a size in use by dropping idle sizes no one took lately, and only those", async () => {
  const pool = new BufferPool({ idleBytes: 256 * KiB, staleMs: 30 });
  const old = Array.from({ length: 4 }, () => pool.take(64 * KiB));
  for (const b of old) pool.give(b);
  // Both sizes in use: the pool stays as it is and the newcomer is not kept.
  const early = pool.take(32 * KiB);
  pool.give(early);
  expect(pool.idleBytes).toBe(256 * KiB);
  expect(pool.take(32 * KiB)).not.toBe(early);
  // No one took 64 KiB for a while: a 32 KiB buffer in use now takes the room of one of them.
  await Bun.sleep(60);
  const now = pool.take(32 * KiB);
  pool.give(now);
  expect(pool.idleBytes).toBe(3 * 64 * KiB + 32 * KiB);
  expect(pool.take(32 * KiB)).toBe(now);
  // One of the four 64 KiB buffers made the room; the other three are still there to reuse.
  const reused = Array.from({ length: 4 }, () => pool.take(64 * KiB)).filter((b) => old.includes(b));
  expect(reused).toHaveLength(3);
});
