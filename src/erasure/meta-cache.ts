/**
 * Decoded xl.meta, by content and by freshness; read paths only (entries are shared between
 * requests and frozen).
 *
 * By content: when a drive returns the very bytes it returned last time for a key, their decode
 * (msgpack, validation: about 40% of a small GET's CPU when the file is read) is reused. Equal
 * bytes are checked byte for byte, not by a hash, so a hit is the decode of those bytes.
 *
 * By freshness: a file read within the last `freshMs` need not be read again (the four reads of
 * a small GET are half its CPU, mostly Bun's hop to a pool thread and back). This is correct
 * only because every write through this process tells the cache (`forget`, from the drive
 * watch in meta-watch.ts) and a read that overlapped a write is never counted as fresh. Changes
 * made behind the server's back (bitrot, an operator's hand) are seen at most `freshMs` late.
 */
import type { XlMeta } from "../xlmeta/index";

interface Entry {
  bytes: Uint8Array;
  meta: XlMeta;
  /** When a read that no write overlapped returned these bytes (-Infinity: never). */
  freshAt: number;
}

/** The reads of one file since its last `forget`; a `forget` starts a new epoch. */
interface Epoch {
  readers: number;
}

/** Handed out when a disk read starts; a `forget` before it ends makes the read not fresh. */
export interface ReadTicket {
  /** The read reflects the disk as of this time at the earliest. */
  readonly at: number;
  readonly epoch: Epoch;
}

export interface MetaCacheLimits {
  /** Total bytes of xl.meta kept (the decoded inline data are views into them). */
  maxBytes: number;
  /** Larger files (many versions, big inline objects) are decoded each time. */
  maxEntryBytes: number;
  /** How long a read stands in for the disk; 0 reads every time. */
  freshMs: number;
}

export const DEFAULT_META_CACHE: MetaCacheLimits = { maxBytes: 32 << 20, maxEntryBytes: 128 << 10, freshMs: 1000 };

/** The cache's name for one drive's xl.meta of a key. */
export function metaFileId(endpoint: string, volume: string, key: string): string {
  return `${endpoint}\0${volume}\0${key}`;
}

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
  /** Files being read, by their current epoch (dropped when the last reader ends). */
  private readonly epochs = new Map<string, Epoch>();
  private held = 0;
  private readonly limits: MetaCacheLimits;

  constructor(
    limits: Partial<MetaCacheLimits> = {},
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.limits = { ...DEFAULT_META_CACHE, ...limits };
  }

  /** The decodes of every file in `ids` if each was read within the window; otherwise null. */
  recent(ids: readonly string[]): XlMeta[] | null {
    if (this.limits.freshMs <= 0) return null;
    const since = this.clock() - this.limits.freshMs;
    const out: XlMeta[] = [];
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e || e.freshAt < since) return null;
      out.push(e.meta);
    }
    return out;
  }

  /** Call before reading file `id` from disk; pass the ticket to `decode` and `endRead`. */
  startRead(id: string): ReadTicket {
    // Concurrent readers share an epoch: under steady load some read is always in flight, and
    // each of them must still be able to count as fresh.
    let epoch = this.epochs.get(id);
    if (!epoch) this.epochs.set(id, (epoch = { readers: 0 }));
    epoch.readers++;
    return { at: this.clock(), epoch };
  }

  endRead(id: string, ticket: ReadTicket): void {
    if (--ticket.epoch.readers === 0 && this.epochs.get(id) === ticket.epoch) this.epochs.delete(id);
  }

  /** A write through this process changed (or may have changed) file `id`. */
  forget(id: string): void {
    this.epochs.delete(id);
    const e = this.entries.get(id);
    if (e) e.freshAt = -Infinity;
  }

  /** `forget` for every file whose id starts with `prefix` (a deleted volume). */
  forgetPrefix(prefix: string): void {
    for (const id of this.epochs.keys()) if (id.startsWith(prefix)) this.epochs.delete(id);
    for (const [id, e] of this.entries) if (id.startsWith(prefix)) e.freshAt = -Infinity;
  }

  /**
   * `id` names one file on one drive; `decode` parses bytes (and throws on corrupt ones).
   * `ticket`: from `startRead` when `bytes` were just read from disk, so they may count as fresh.
   */
  decode(id: string, bytes: Uint8Array, decode: (b: Uint8Array) => XlMeta, ticket?: ReadTicket): XlMeta {
    const freshAt = ticket !== undefined && this.epochs.get(id) === ticket.epoch ? ticket.at : -Infinity;
    const hit = this.entries.get(id);
    if (hit && sameBytes(hit.bytes, bytes)) {
      // Re-insert: Map order is the eviction order, oldest use first.
      this.entries.delete(id);
      this.entries.set(id, hit);
      // Of two fresh reads of the same bytes, the later start stands.
      hit.freshAt = freshAt === -Infinity ? freshAt : Math.max(hit.freshAt, freshAt);
      return hit.meta;
    }
    if (hit) this.drop(id, hit);
    if (bytes.byteLength > this.limits.maxEntryBytes) return decode(bytes);
    // An exact-size copy: a read buffer may be a view into a much larger allocation.
    const own = Uint8Array.prototype.slice.call(bytes);
    const meta = decode(own);
    freezeDeep(meta.versions);
    this.entries.set(id, { bytes: own, meta, freshAt });
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
