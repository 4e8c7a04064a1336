/**
 * A small file mapped shared into memory: what one process stores through the map, every other
 * process mapping the file sees at once (erasure/generations.ts keeps its counters in one).
 */
import { closeSync, ftruncateSync, openSync } from "node:fs";

/** `count` 32-bit counters in the file at `path`, created (zeroed) or sized when it is not yet. */
export function mapSharedCounters(path: string, count: number): Int32Array {
  const fd = openSync(path, "a+");
  try {
    // Sizing an already sized file is a no-op, so every process may do it.
    ftruncateSync(fd, count * 4);
  } finally {
    closeSync(fd);
  }
  const map = Bun.mmap(path, { shared: true });
  return new Int32Array(map.buffer, map.byteOffset, count);
}
