/**
 * Pooled chunks handed down a stream. A producer that reads into reusable buffers (the GET
 * path: fresh memory costs 10-30 µs per 4 KiB page on first touch here, more than reading into
 * it) marks each chunk with what frees it; the consumer that ends the chunk's life (the socket
 * writer once the bytes are sent, a reader that copied them) calls `releaseChunk`. Releasing is
 * opt-in on both sides: a chunk nobody releases is ordinary garbage and its buffer is never
 * reused, so a consumer that keeps chunks (or a wrapper that re-slices them) stays correct.
 */
const owners = new WeakMap<Uint8Array, () => void>();

/** Marks `chunk` (this exact view) as freed by `release`, which runs at most once. */
export function releasable(chunk: Uint8Array, release: () => void): Uint8Array {
  owners.set(chunk, release);
  return chunk;
}

/** The caller will not touch `chunk` again, nor hand it on; a no-op for unmarked chunks. */
export function releaseChunk(chunk: Uint8Array): void {
  const release = owners.get(chunk);
  if (!release) return;
  owners.delete(chunk);
  release();
}

/**
 * Frees `chunk`'s memory now, when the chunk is the whole of its own ArrayBuffer (so no other
 * view can share it): detaching hands the backing store back to the allocator at once, where
 * the GC would free it only at its next collection, by which time the following chunks had
 * faulted in fresh pages. Used as the release of request-body chunks, which are fresh copies
 * made for us alone. A chunk that is a slice of something larger is left to the GC.
 */
export function freeWholeChunk(chunk: Uint8Array): void {
  const buf = chunk.buffer;
  if (buf instanceof SharedArrayBuffer || chunk.byteOffset !== 0 || chunk.byteLength !== buf.byteLength) return;
  try {
    buf.transfer(0);
  } catch {
    // not detachable (e.g. wasm memory): the GC frees it as before
  }
}
