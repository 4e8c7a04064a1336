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
 * only because every write tells the cache's generations (`forget`, from the drive watch in
 * meta-watch.ts, in whichever process made it) before it is acknowledged, and a read whose
 * file's generation moved between its start and any later use is not fresh. Changes made
 * behind the server's back (bitrot, an operator's hand) are seen at most `freshMs` late.
 */
import type { XlMeta } from "../xlmeta/index";
import { Generations } from "./generations";

interface Entry {
  bytes: Uint8Array;
  meta: XlMeta;
  /** When a read that no write overlapped returned these bytes (-Infinity: never). */
  freshAt: number;
  /** The file's generation slots (its own, its volume's) and their sum when that read began. */
  slots: Slots;
  gen: number;
}

interface Slots {
  file: number;
  volume: number;
}

/** Handed out when a disk read starts: the read reflects the disk as of `at` at the earliest. */
export interface ReadTicket {
  readonly at: number;
  readonly slots: Slots;
  readonly gen: number;
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

/** A file's volume is the id up to its second NUL (metaFileId); keys and volumes hold none. */
function volumeOf(id: string): string {
  const first = id.indexOf("\0");
  const second = first < 0 ? -1 : id.indexOf("\0", first + 1);
  return second < 0 ? id : id.slice(0, second + 1);
}

export class MetaDecodeCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;
  private readonly limits: MetaCacheLimits;

  constructor(
    limits: Partial<MetaCacheLimits> = {},
    private readonly clock: () => number = () => performance.now(),
    private readonly gens: Generations = Generations.inMemory(),
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
      if (!e || e.freshAt < since || this.genOf(e.slots) !== e.gen) return null;
      out.push(e.meta);
    }
    return out;
  }

  /** Call before reading file `id` from disk; pass the ticket to `decode`. */
  startRead(id: string): ReadTicket {
    const slots = this.slotsOf(id);
    return { at: this.clock(), slots, gen: this.genOf(slots) };
  }

  /** A write (through any process sharing the generations) changed, or may have changed, file `id`. */
  forget(id: string): void {
    this.gens.bump(this.gens.slotOf(id));
  }

  /** `forget` for every file of a volume: `prefix` is metaFileId(endpoint, volume, ""). */
  forgetPrefix(prefix: string): void {
    this.gens.bump(this.gens.slotOf(prefix));
  }

  /**
   * `id` names one file on one drive; `decode` parses bytes (and throws on corrupt ones).
   * `ticket`: from `startRead` when `bytes` were just read from disk, so they may count as fresh.
   */
  decode(id: string, bytes: Uint8Array, decode: (b: Uint8Array) => XlMeta, ticket?: ReadTicket): XlMeta {
    const fresh = ticket !== undefined && this.genOf(ticket.slots) === ticket.gen;
    const hit = this.entries.get(id);
    if (hit && sameBytes(hit.bytes, bytes)) {
      // Re-insert: Map order is the eviction order, oldest use first.
      this.entries.delete(id);
      this.entries.set(id, hit);
      if (!fresh) hit.freshAt = -Infinity;
      else if (hit.gen !== ticket.gen || ticket.at > hit.freshAt) {
        // Of two fresh reads of the same bytes, the later start stands.
        hit.freshAt = ticket.at;
        hit.gen = ticket.gen;
      }
      return hit.meta;
    }
    if (hit) this.drop(id, hit);
    if (bytes.byteLength > this.limits.maxEntryBytes) return decode(bytes);
    // An exact-size copy: a read buffer may be a view into a much larger allocation.
    const own = Uint8Array.prototype.slice.call(bytes);
    const meta = decode(own);
    freezeDeep(meta.versions);
    const slots = ticket?.slots ?? this.slotsOf(id);
    this.entries.set(id, { bytes: own, meta, freshAt: fresh ? ticket.at : -Infinity, slots, gen: fresh ? ticket.gen : -1 });
    this.held += own.byteLength;
    this.evict();
    return meta;
  }

  private slotsOf(id: string): Slots {
    return { file: this.gens.slotOf(id), volume: this.gens.slotOf(volumeOf(id)) };
  }

  /** Sum of a file's own and its volume's counts: either moving makes it stale. */
  private genOf(slots: Slots): number {
    return (this.gens.count(slots.file) + this.gens.count(slots.volume)) | 0;
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
