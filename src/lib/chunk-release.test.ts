import { expect, test } from "bun:test";
import { freeWholeChunk, releasable, releaseChunk } from "./chunk-release";

test("a marked chunk's release runs once, on the first releaseChunk of that view; unmarked views are ignored", () => {
  const chunk = new Uint8Array(16);
  let runs = 0;
  releasable(chunk, () => runs++);
  releaseChunk(chunk.subarray(0)); // another view of the same bytes: not the marked chunk
  expect(runs).toBe(0);
  releaseChunk(chunk);
  releaseChunk(chunk);
  expect(runs).toBe(1);
});

test("freeWholeChunk detaches a chunk that is its whole buffer, and leaves slices and shared memory alone", () => {
  const whole = new Uint8Array(1 << 20);
  freeWholeChunk(whole);
  expect(whole.buffer.byteLength).toBe(0);

  const backing = new Uint8Array(1 << 20).fill(7);
  const slice = backing.subarray(10, 100);
  freeWholeChunk(slice);
  expect(backing.length).toBe(1 << 20);
  expect(slice[0]).toBe(7);

  const shared = new Uint8Array(new SharedArrayBuffer(4096));
  freeWholeChunk(shared);
  expect(shared.length).toBe(4096);
});
