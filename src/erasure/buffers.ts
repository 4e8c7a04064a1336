/**
 * A pool of large scratch buffers (1 MiB blocks, encode outputs), so a PUT does not allocate and
 * page-fault several fresh MiB that the GC reclaims later: first touch of fresh memory measured
 * 10-18 µs per 4 KiB page here, more than the copy into it, and a PUT 1 MiB c=32 profile spent
 * half its CPU in copies into fresh pages while a pool of 8 buffers per size served 4 of the 32
 * PUTs in flight.
 *
 * So what is retained is bounded by bytes, not by count: enough idle buffers for every PUT in
 * flight at the measured concurrencies (32 x 1 MiB PUTs hold one 2 MiB encode output each on 4
 * drives, 3 MiB on 8), never more than `idleBytes`: what is kept idle after a burst counts in the
 * RSS of the next workload (PUT 256 MiB c=8 must stay under 400 MB). After `trimAfterMs`
 * without a `take`, idle buffers beyond `floorBytes` are dropped, so a burst does not leave a
 * quiet server holding its peak. When the workload changes under load (a burst of PUTs, then
 * GETs), a full pool makes room for the buffers now in use by dropping idle ones of sizes no
 * one took for `staleMs`: otherwise it stayed full of PUT buffers and every GET of 1 MiB
 * page-faulted fresh frames, at twice the CPU per GET.
 *
 * Buffers in use are bounded through `reserve`: a PUT reserves what it may hold before reading
 * its body, so with many PUTs at once the later ones wait (their clients held back by TCP)
 * instead of each taking fresh megabytes: 128 concurrent 1 MiB PUTs reached 600 MB of RSS. The
 * bound is soft: a reservation that waited `reserveWaitMs` proceeds anyway, so clients that
 * hold reservations while sending nothing cannot stall every other upload.
 */

import { QuietTrim } from "../lib/index";
import { releasePages } from "../storage/index";

export interface BufferPoolOptions {
  /** Idle bytes kept for reuse (default 96 MiB). */
  idleBytes?: number;
  /** Idle bytes kept through a quiet spell (default 8 MiB). */
  floorBytes?: number;
  /** A quiet spell: this long without a take (default 10 s). */
  trimAfterMs?: number;
  /** Bytes reserved by work in flight before new reservations wait (default 96 MiB). */
  inUseBytes?: number;
  /** The longest a reservation waits before it proceeds over the bound (default 2 s). */
  reserveWaitMs?: number;
  /** Idle buffers of a size not taken for this long make room for others (default 1 s). */
  staleMs?: number;
}

interface Waiter {
  bytes: number;
  grant: () => void;
}

const MiB = 1 << 20;

export class BufferPool {
  private readonly idle = new Map<string, Uint8Array[]>();
  private idleTotal = 0;
  private lastTake = 0;
  /** When each size (key) was last taken. */
  private readonly takenAt = new Map<string, number>();
  private readonly quiet: QuietTrim;
  private readonly max: number;
  private readonly floor: number;
  private readonly inUseMax: number;
  private readonly waitMs: number;
  private readonly staleMs: number;
  private reservedTotal = 0;
  private readonly waiters: Waiter[] = [];

  constructor(opts: BufferPoolOptions = {}) {
    this.max = opts.idleBytes ?? 96 * MiB;
    this.floor = Math.min(opts.floorBytes ?? 8 * MiB, this.max);
    const quietMs = opts.trimAfterMs ?? 10_000;
    this.quiet = new QuietTrim({
      quietMs: () => quietMs,
      lastTake: () => this.lastTake,
      now: () => performance.now(),
      holding: () => this.idleTotal > this.floor,
      trim: () => this.trim(),
    });
    this.inUseMax = opts.inUseBytes ?? 96 * MiB;
    this.waitMs = opts.reserveWaitMs ?? 2_000;
    this.staleMs = opts.staleMs ?? 1_000;
  }

  /**
   * Waits until `bytes` more fit under the in-use bound (first come, first served; a request
   * larger than the bound waits for it to be free), or `reserveWaitMs` has passed; returns the
   * release, which gives the bytes back once however often it is called.
   */
  async reserve(bytes: number): Promise<() => void> {
    const n = Math.min(bytes, this.inUseMax);
    if (this.waiters.length === 0 && this.reservedTotal + n <= this.inUseMax) this.reservedTotal += n;
    else await this.queue(n);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reservedTotal -= n;
      this.grantWaiting();
    };
  }

  /** Bytes reserved right now (over the bound only after a reservation outwaited `reserveWaitMs`). */
  get reservedBytes(): number {
    return this.reservedTotal;
  }

  private queue(bytes: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const w: Waiter = { bytes, grant: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(w);
        if (at >= 0) this.waiters.splice(at, 1);
        this.reservedTotal += bytes;
        resolve();
      }, this.waitMs);
      this.waiters.push(w);
    });
  }

  private grantWaiting(): void {
    while (this.waiters.length > 0 && this.reservedTotal + this.waiters[0]!.bytes <= this.inUseMax) {
      const w = this.waiters.shift()!;
      this.reservedTotal += w.bytes;
      w.grant();
    }
  }

  take(size: number): Uint8Array {
    return this.reuse(`p${size}`) ?? new Uint8Array(size);
  }

  /** Backed by a SharedArrayBuffer, so a worker can read it without a copy (md5.ts). */
  takeShared(size: number): Uint8Array {
    return this.reuse(`s${size}`) ?? new Uint8Array(new SharedArrayBuffer(size));
  }

  /** Hands a buffer back; the caller must not touch it afterwards (the next `take` may get it). */
  give(buf: Uint8Array): void {
    const key = `${buf.buffer instanceof SharedArrayBuffer ? "s" : "p"}${buf.length}`;
    const list = this.idle.get(key) ?? [];
    if (list.includes(buf)) return; // given twice: keeping it twice would hand it to two takers
    if (this.idleTotal + buf.length > this.max) this.dropStale(this.idleTotal + buf.length - this.max, key);
    if (this.idleTotal + buf.length > this.max) return releasePages(buf);
    list.push(buf);
    this.idle.set(key, list);
    this.idleTotal += buf.length;
    if (this.idleTotal > this.floor) this.quiet.arm();
  }

  /** Bytes held for reuse right now. */
  get idleBytes(): number {
    return this.idleTotal;
  }

  private reuse(key: string): Uint8Array | undefined {
    this.lastTake = performance.now();
    this.takenAt.set(key, this.lastTake);
    const buf = this.idle.get(key)?.pop();
    if (buf) this.idleTotal -= buf.length;
    return buf;
  }

  /** Drops at least `bytes` of idle buffers of sizes (but `keep`) no one took for `staleMs`, if there are. */
  private dropStale(bytes: number, keep: string): void {
    const before = performance.now() - this.staleMs;
    for (const [key, list] of this.idle) {
      if (key === keep || (this.takenAt.get(key) ?? 0) > before) continue;
      while (bytes > 0 && list.length > 0) bytes -= this.drop(list);
      if (bytes <= 0) return;
    }
  }

  private trim(): void {
    for (const list of this.idle.values()) {
      while (this.idleTotal > this.floor && list.length > 0) this.drop(list);
    }
  }

  /** Drops `list`'s last idle buffer, its pages handed back to the kernel now; returns its bytes. */
  private drop(list: Uint8Array[]): number {
    const buf = list.pop()!;
    this.idleTotal -= buf.length;
    releasePages(buf);
    return buf.length;
  }
}
