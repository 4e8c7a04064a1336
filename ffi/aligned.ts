/**
 * Memory at an address aligned for O_DIRECT (src/storage/direct-writer.ts): JS cannot ask the
 * allocator for alignment, so a slightly larger buffer is cut at the first aligned address,
 * which bun:ffi's `ptr` reveals. The bytes never move (an ArrayBuffer's store stays put).
 */
import { dlopen, ptr, type Pointer } from "bun:ffi";

/** `size` bytes starting at a multiple of `align` (a power of two). */
export function alignedBytes(size: number, align: number): Uint8Array {
  const raw = new Uint8Array(size + align);
  const at = (align - (ptr(raw) % align)) % align;
  return raw.subarray(at, at + size);
}

/** A transparent huge page (x86-64 and arm64 with 4 KiB base pages). */
export const HUGE_PAGE = 2 << 20;
const MADV_DONTNEED = 4;
const MADV_HUGEPAGE = 14;

type Madvise = (addr: Pointer, length: number, advice: number) => number;
let madvise: Madvise | null | undefined;

function libcMadvise(): Madvise | null {
  if (madvise !== undefined) return madvise;
  try {
    madvise = process.platform === "linux" ? dlopen("libc.so.6", { madvise: { args: ["ptr", "u64", "i32"], returns: "i32" } }).symbols.madvise : null;
  } catch {
    madvise = null;
  }
  return madvise;
}

const PAGE = 4096;

/**
 * Hands the whole pages inside `bytes` back to the kernel now (MADV_DONTNEED): they read as zeros
 * afterwards and cost no memory until touched again. For a buffer no one reads again: the GC
 * would free it only at some later collection, and its allocator keeps freed pages for reuse
 * even then, so what one workload dropped stayed in the RSS of the next. A no-op where madvise
 * is unavailable.
 */
export function releasePages(bytes: Uint8Array): void {
  const advise = libcMadvise();
  if (!advise || bytes.byteLength < PAGE) return;
  const start = ptr(bytes);
  const from = Math.ceil(start / PAGE) * PAGE;
  const to = Math.floor((start + bytes.byteLength) / PAGE) * PAGE;
  if (to > from) advise(from as Pointer, to - from, MADV_DONTNEED);
}

/**
 * `size` bytes (a multiple of HUGE_PAGE) on a huge page boundary, advised to be backed by
 * transparent huge pages: physically contiguous memory, which a direct write hands to the device
 * as one segment per huge page instead of one per 4 KiB page (see src/storage/direct-writer.ts).
 * The advice is given before the first touch, so the pages fault in huge; where the kernel has
 * THP off (or this is not Linux) they stay small and nothing else changes.
 */
export function hugePageBytes(size: number): Uint8Array {
  const bytes = alignedBytes(size, HUGE_PAGE);
  const advise = libcMadvise();
  if (advise) {
    advise(ptr(bytes), size, MADV_HUGEPAGE);
    // The allocator may hand back memory a freed buffer already touched, mapped in 4 KiB pages
    // that the advice does not replace (25 of 30 such buffers stayed small): dropping them
    // makes the next touch fault in fresh, huge pages. The bytes read as zeros either way.
    advise(ptr(bytes), size, MADV_DONTNEED);
  }
  return bytes;
}
