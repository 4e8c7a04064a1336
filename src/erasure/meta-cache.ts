/**
 * Decoded xl.meta by content. A GET or HEAD still reads every drive's xl.meta, so quorum,
 * missing files, tampering and bitrot are seen exactly as before; what it skips is decoding
 * (msgpack, validation: about 40% of a small GET's CPU) when a drive returns the very bytes
 * it returned last time for that key. Equal bytes are checked byte for byte, not by a hash, so
 * a hit is the decode of those bytes by construction. Entries are shared between requests and
 * frozen: read paths only.
 */
import type { XlMeta } from "../xlmeta/index";

interface Entry {
  bytes: Uint8Array;
  meta: XlMeta;
}

export interface MetaCacheLimits {
  /** Total bytes of xl.meta kept (the decoded inline data are views into them). */
  maxBytes: number;
  /** Larger files (many versions, big inline objects) are decoded each time. */
  maxEntryBytes: number;
}

export const DEFAULT_META_CACHE: MetaCacheLimits = { maxBytes: 32 << 20, maxEntryBytes: 128 << 10 };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Freezes the plain objects and arrays of a decoded xl.meta (typed arrays cannot be frozen). */
function freezeDeep(v: unknown): void {
  if (v === null || typeof v !== "object" || ArrayBuffer.isView(v) || v instanceof Map) return;
  Object.freeze(v);
  for (const child of Object.values(v)) freezeDeep(child);
}

export class MetaDecodeCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  constructor(private readonly limits: MetaCacheLimits = DEFAULT_META_CACHE) {}

  /** `id` names one file on one drive; `decode` parses bytes (and throws on corrupt ones). */
  decode(id: string, bytes: Uint8Array, decode: (b: Uint8Array) => XlMeta): XlMeta {
    const hit = this.entries.get(id);
    if (hit && sameBytes(hit.bytes, bytes)) {
      // Re-insert: Map order is the eviction order, oldest use first.
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit.meta;
    }
    if (hit) this.drop(id, hit);
    if (bytes.byteLength > this.limits.maxEntryBytes) return decode(bytes);
    // An exact-size copy: a read buffer may be a view into a much larger allocation.
    const own = Uint8Array.prototype.slice.call(bytes);
    const meta = decode(own);
    freezeDeep(meta.versions);
    this.entries.set(id, { bytes: own, meta });
    this.held += own.byteLength;
    this.evict();
    return meta;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const [id, e] of this.entries) {
      if (this.held <= this.limits.maxBytes) return;
      this.drop(id, e);
    }
  }

  private drop(id: string, e: Entry): void {
    this.entries.delete(id);
    this.held -= e.bytes.byteLength;
  }
}
