/**
 * The PUT data path: read the body into 1 MiB blocks (pooled buffers, two alternating), MD5 on
 * the way (in a worker for large bodies, md5.ts), encode each block into k+m shards laid out as
 * `[xxh3][shard]` frames in one pooled buffer and write each drive's frame straight from it to one
 * staging file per drive, in parallel, with at most one block in flight while the next is read.
 * Small bodies (≤ inlineLimit) are not written at all: their frames are returned for xl.meta.
 */
import type { Codec } from "../ec/index";
import { ObjectError } from "../object/index";
import type { Drive, FileWriter } from "../storage/index";
import { frameInPlace, frameShard, HASH_LEN } from "./bitrot";
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
  /** Sys path of the staging file on each drive, e.g. `tmp/<uuid>/<dataDir>/part.1`. */
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

  constructor(private readonly t: StageTarget) {
    this.alive = t.drives.map(() => true);
  }

  async open(): Promise<void> {
    this.writers = await Promise.all(
      this.t.drives.map(async (d, i) => {
        if (!this.alive[i]) return null;
        try {
          return await d.createSysWriter(this.t.path);
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
 * Cuts a byte stream into fixed-size blocks. Two block buffers and two encode outputs alternate,
 * because one block's write is still in flight while the next is filled; each is taken from the
 * pool when first needed, so a body of one block (or an inlined one) holds one block and at most
 * one encode output.
 */
class Blocker {
  private readonly blocks: (Uint8Array | null)[] = [null, null];
  private readonly outs: (Uint8Array | null)[] = [null, null];
  private cur = 0;
  private fill = 0;

  constructor(private readonly t: StageTarget) {}

  /** Copies `value` in, calling `full(block, into)` for every completed block. */
  async feed(value: Uint8Array, full: (block: Uint8Array, into: Uint8Array) => Promise<void>): Promise<void> {
    let off = 0;
    while (off < value.length) {
      const block = this.block();
      const n = Math.min(value.length - off, block.length - this.fill);
      block.set(value.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      if (this.fill === block.length) {
        await full(block, this.into());
        this.cur ^= 1;
        this.fill = 0;
      }
    }
  }

  /** The partly filled last block (empty when the body ended on a block boundary). */
  get tail(): Uint8Array {
    return this.fill === 0 ? new Uint8Array(0) : this.block().subarray(0, this.fill);
  }

  /** The encode output that goes with the current block. */
  into(): Uint8Array {
    return (this.outs[this.cur] ??= this.t.pool.take(this.t.codec.encodedSize(this.t.blockSize, HASH_LEN)));
  }

  /** Only once every write and hash that referenced the buffers has settled. */
  release(): void {
    for (const b of [...this.blocks, ...this.outs]) if (b) this.t.pool.give(b);
    this.blocks.fill(null);
    this.outs.fill(null);
  }

  private block(): Uint8Array {
    return (this.blocks[this.cur] ??= this.t.pool.takeShared(this.t.blockSize));
  }
}

/**
 * Streams `body` to the staging files. Errors from the body stream propagate unchanged; on any
 * error the writers are aborted (the caller removes the staging directory).
 */
export async function stageBody(body: ReadableStream<Uint8Array>, t: StageTarget, limits: StageLimits): Promise<Staged> {
  const writers = new ShardWriters(t);
  const md5 = new StreamMd5();
  const blocker = new Blocker(t);
  let size = 0;
  // The latest block's hash (the worker hashes in order, so it settles after every earlier one).
  let hashed: Promise<void> = Promise.resolve();
  const reader = body.getReader();
  const flush = async (bytes: Uint8Array, into: Uint8Array) => {
    const previous = hashed;
    hashed = md5.update(bytes);
    hashed.catch(() => undefined); // awaited later; this only keeps it from counting as unhandled
    if (!writers.opened) await writers.open();
    await writers.push(t.codec.encode(bytes, into, HASH_LEN).map(frameInPlace));
    // The previous block's buffer is refilled next, so its hash must be done by then.
    await previous;
  };
  try {
    if (t.inlineLimit < 0) await writers.open();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.length;
      if (size > limits.maxSize) throw new ObjectError({ kind: "EntityTooLarge", size, max: limits.maxSize });
      await blocker.feed(r.value, flush);
    }
    const tail = blocker.tail;
    if (!writers.opened && size <= t.inlineLimit) {
      await md5.update(tail);
      const md5Hex = await md5.hex();
      checkEnd(limits, size, md5Hex);
      return { size, md5Hex, inline: size === 0 ? [] : encodeFrames(t.codec, tail), alive: writers.alive };
    }
    if (tail.length > 0) await flush(tail, blocker.into());
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
