/**
 * Memory at an address aligned for O_DIRECT (src/storage/direct-writer.ts): JS cannot ask the
 * allocator for alignment, so a slightly larger buffer is cut at the first aligned address,
 * which bun:ffi's `ptr` reveals. The bytes never move (an ArrayBuffer's store stays put).
 */
import { ptr } from "bun:ffi";

/** `size` bytes starting at a multiple of `align` (a power of two). */
export function alignedBytes(size: number, align: number): Uint8Array {
  const raw = new Uint8Array(size + align);
  const at = (align - (ptr(raw) % align)) % align;
  return raw.subarray(at, at + size);
}
