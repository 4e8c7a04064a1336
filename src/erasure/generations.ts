/**
 * Change counters that every process serving the same drives shares, so a cache in one process
 * learns of a write made through another before that write is acknowledged. A name (one drive's
 * xl.meta of a key, a bucket) hashes to a slot; a writer bumps the slot after the write settles,
 * and a cache keeps what it read together with the slot's count at the start of the read: an
 * entry whose count moved may predate a write and is read again. Distinct names may share a slot;
 * that costs a needless re-read, never a stale answer.
 *
 * One process keeps the counters in memory; several (server/cluster.ts) map one file, where an
 * aligned 32-bit load or add is atomic and visible to the others at once.
 */
import { mapSharedCounters } from "../storage/index";

/** Slots in a table: 256 KiB shared; collisions are rare at the key rates one server sees. */
const SLOTS = 1 << 16;

export class Generations {
  private constructor(private readonly counts: Int32Array) {}

  /** Counters for one process. */
  static inMemory(): Generations {
    return new Generations(new Int32Array(SLOTS));
  }

  /** Counters shared through the file at `path` (created, or sized, when it is not yet). */
  static shared(path: string): Generations {
    return new Generations(mapSharedCounters(path, SLOTS));
  }

  slotOf(name: string): number {
    return Bun.hash.crc32(name) & (SLOTS - 1);
  }

  count(slot: number): number {
    return Atomics.load(this.counts, slot);
  }

  bump(slot: number): void {
    Atomics.add(this.counts, slot, 1);
  }
}
