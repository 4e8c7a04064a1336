/**
 * The PUT data path: cut the body into 1 MiB blocks (blocker.ts: assembled where the codec allows
 * right inside the pooled encode output), MD5 on the way (in a worker for large bodies, md5.ts),
 * encode each block into k+m shards laid out as `[xxh3][shard]` frames in that one buffer, and
 * write each drive's frame straight from it to one staging file per drive, in parallel, with at
 * most one block in flight while the next is read. Small bodies (≤ inlineLimit) are not written
 * at all: their frames are returned for xl.meta.
 */
import type { Codec } from "../ec/index";
import { ObjectError } from "../object/index";
import { releaseChunk } from "../lib/index";
import type { Drive, FileWriter } from "../storage/index";
import { codecShardFileSize, frameInPlace, frameShard, HASH_LEN } from "./bitrot";
import { Blocker, type Assembled } from "./blocker";
import type { BufferPool } from "./buffers";
import { StreamMd5 } from "./md5";
import { quorumError, type ErrLoc } from "./quorum";

export interface StageTarget {
  drives: readonly Drive[];
  codec: Codec;
  /** distribution[pos] = 1-based shard index written to drive `pos`. */
  distribution: readonly number[];
  writeQuorum: number;
  blockSize: number;
  /** Bodies up to this size are returned inline; -1 never inlines (multipart parts). */
  inlineLimit: number;
  /** Sys path of the staging file on each drive, e.g. `tmp/<dataDir>/part.1`. */
  path: string;
  loc: ErrLoc;
  pool: BufferPool;
}

export interface StageLimits {
  /** Declared size, -1 when unknown. */
  size: number;
  maxSize: number;
  expectedMd5?: string;
}

export interface Staged {
  size: number;
  md5Hex: string;
  /** Frames by 0-based shard index when the body was inlined; null when written to files. */
  inline: Uint8Array[] | null;
  /** Per drive position: does it hold a complete, fsynced staging file? */
  alive: boolean[];
}

class ShardWriters {
  private writers: (FileWriter | null)[] = [];
  alive: boolean[];
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly t: StageTarget,
    /** Each shard file's size when the body's size is declared (the writers size their buffers by it). */
    private readonly fileSize: number | undefined,
  ) {
    this.alive = t.drives.map(() => true);
  }

  async open(): Promise<void> {
    this.writers = await Promise.all(
      this.t.drives.map(async (d, i) => {
        if (!this.alive[i]) return null;
        try {
          return await d.createSysWriter(this.t.path, this.fileSize);
        } catch {
          this.alive[i] = false;
          return null;
        }
      }),
    );
    this.checkQuorum();
  }

  get opened(): boolean {
    return this.writers.length > 0;
  }

  /** Waits for the previous block, then starts writing this one (one block in flight). */
  async push(frames: Uint8Array[]): Promise<void> {
    await this.pending;
    this.checkQuorum();
    this.pending = Promise.all(this.writers.map((w, i) => this.writeOne(w, i, frames[this.t.distribution[i]! - 1]!))).then(() => undefined);
  }

  async finish(): Promise<void> {
    await this.pending;
    await Promise.all(
      this.writers.map(async (w, i) => {
        if (!w || !this.alive[i]) return;
        try {
          await w.close();
        } catch {
          this.alive[i] = false;
        }
      }),
    );
    this.checkQuorum();
  }

  async abort(): Promise<void> {
    await this.pending.catch(() => undefined);
    await Promise.all(this.writers.map((w) => w?.abort().catch(() => undefined)));
  }

  /** One write per drive and block: the frame is a view of the encode output, never copied. */
  private async writeOne(w: FileWriter | null, i: number, frame: Uint8Array): Promise<void> {
    if (!w || !this.alive[i]) return;
    try {
      await w.write(frame);
    } catch {
      // A failing drive drops out; the write goes on while a quorum remains.
      this.alive[i] = false;
      await w.abort().catch(() => undefined);
    }
  }

  private checkQuorum(): void {
    const have = this.alive.filter(Boolean).length;
    if (have < this.t.writeQuorum) throw quorumError("write", this.t.loc, have, this.t.writeQuorum);
  }
}

function encodeFrames(codec: Codec, block: Uint8Array): Uint8Array[] {
  return codec.encode(block).map(frameShard);
}

function checkEnd(limits: StageLimits, size: number, md5Hex: string): void {
  if (limits.size >= 0 && size !== limits.size) {
    throw new ObjectError({ kind: "IncompleteBody", expected: limits.size, received: size });
  }
  if (limits.expectedMd5 !== undefined && limits.expectedMd5.toLowerCase() !== md5Hex) {
    throw new ObjectError({ kind: "BadDigest", expected: limits.expectedMd5, computed: md5Hex });
  }
}

/**
 * What the Blocker may hold for one body at once: an encode output per block in flight (two at
 * most), and a block buffer to gather a short last block in. A body to inline is gathered in one
 * pooled block buffer of which it touches only its own length, so that length is what it costs.
 */
function bufferBytes(t: StageTarget, limits: StageLimits, separate: boolean): number {
  if (separate) return limits.size;
  const blocks = limits.size < 0 ? 2 : Math.min(2, Math.ceil(limits.size / t.blockSize));
  const gathers = limits.size < 0 || limits.size % t.blockSize !== 0;
  return blocks * t.codec.encodedSize(t.blockSize, HASH_LEN) + (gathers ? t.blockSize : 0);
}

/**
 * Streams `body` to the staging files. Errors from the body stream propagate unchanged; on any
 * error the writers are aborted (the caller removes the staging directory).
 */
export async function stageBody(body: ReadableStream<Uint8Array>, t: StageTarget, limits: StageLimits): Promise<Staged> {
  const separate = limits.size >= 0 && limits.size <= t.inlineLimit;
  // Before the first byte is read: a PUT that waits here holds its client back, not memory.
  const unreserve = await t.pool.reserve(bufferBytes(t, limits, separate));
  try {
    return await stageReserved(body, t, limits, separate);
  } finally {
    unreserve();
  }
}

async function stageReserved(body: ReadableStream<Uint8Array>, t: StageTarget, limits: StageLimits, separate: boolean): Promise<Staged> {
  const writers = new ShardWriters(t, limits.size >= 0 ? codecShardFileSize(t.codec, t.blockSize, limits.size) : undefined);
  const md5 = new StreamMd5();
  const blocker = new Blocker({ codec: t.codec, pool: t.pool, blockSize: t.blockSize, headroom: HASH_LEN, separate });
  let size = 0;
  // The latest block's hash (the worker hashes in order, so it settles after every earlier one).
  let hashed: Promise<void> = Promise.resolve();
  const reader = body.getReader();
  const flush = async (b: Assembled) => {
    const previous = hashed;
    hashed = md5.updateAll(b.pieces);
    hashed.catch(() => undefined); // awaited later; this only keeps it from counting as unhandled
    if (!writers.opened) await writers.open();
    const shards = b.inPlace ? t.codec.encodeInPlace(b.into, b.length, HASH_LEN) : t.codec.encode(b.pieces[0]!, b.into, HASH_LEN);
    await writers.push(shards.map(frameInPlace));
    // The previous block's buffers are refilled next, so its hash must be done by then.
    await previous;
  };
  try {
    if (t.inlineLimit < 0) await writers.open();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.length;
      if (size > limits.maxSize) throw new ObjectError({ kind: "EntityTooLarge", size, max: limits.maxSize });
      await blocker.feed(r.value, flush);
      releaseChunk(r.value); // copied in whole: a pooled or request-body chunk can go now
    }
    const tail = blocker.tail();
    if (!writers.opened && size <= t.inlineLimit) {
      const bytes = tail?.pieces[0] ?? new Uint8Array(0);
      await md5.update(bytes);
      const md5Hex = await md5.hex();
      checkEnd(limits, size, md5Hex);
      return { size, md5Hex, inline: size === 0 ? [] : encodeFrames(t.codec, bytes), alive: writers.alive };
    }
    if (tail) await flush(tail);
    await writers.finish();
    await hashed;
    const md5Hex = await md5.hex();
    checkEnd(limits, size, md5Hex);
    return { size, md5Hex, inline: null, alive: writers.alive };
  } catch (e) {
    await writers.abort();
    await reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    md5.dispose();
    reader.releaseLock();
    // The worker may still read a block of a failed upload: wait before the pool hands it out.
    await hashed.catch(() => undefined);
    blocker.release();
  }
}
