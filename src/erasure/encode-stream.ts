/**
 * The PUT data path: read the body into 1 MiB blocks (one reused buffer), MD5 on the way,
 * encode each block into k+m shards and append `[xxh3][shard]` frames to one staging file per
 * drive, in parallel, with at most one block in flight while the next is read. Small bodies
 * (≤ inlineLimit) are not written at all: their frames are returned for xl.meta.
 */
import type { Codec } from "../ec/index";
import { ObjectError } from "../object/index";
import type { Drive, FileWriter } from "../storage/drive";
import { frameHeader, frameShard } from "./bitrot";
import type { BufferPool } from "./buffers";
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
  async push(shards: Uint8Array[]): Promise<void> {
    const headers = shards.map(frameHeader);
    await this.pending;
    this.checkQuorum();
    this.pending = Promise.all(this.writers.map((w, i) => this.writeOne(w, i, { headers, shards }))).then(() => undefined);
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

  /** Header and shard go as two writes: the writer gathers them, so no joined frame is allocated. */
  private async writeOne(w: FileWriter | null, i: number, b: { headers: Uint8Array[]; shards: Uint8Array[] }): Promise<void> {
    if (!w || !this.alive[i]) return;
    const s = this.t.distribution[i]! - 1;
    try {
      await w.write(b.headers[s]!);
      await w.write(b.shards[s]!);
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
 * Streams `body` to the staging files. Errors from the body stream propagate unchanged; on any
 * error the writers are aborted (the caller removes the staging directory).
 */
export async function stageBody(body: ReadableStream<Uint8Array>, t: StageTarget, limits: StageLimits): Promise<Staged> {
  const writers = new ShardWriters(t);
  const md5 = new Bun.CryptoHasher("md5");
  // Two block buffers: shards may be views into the block (parity 0), and one block's write
  // is still in flight while the next is filled.
  const blocks = [t.pool.take(t.blockSize), t.pool.take(t.blockSize)];
  // Encoded shards are views of these (recycled like the blocks) instead of fresh 1.5 MiB per block.
  const intoSize = t.distribution.length * (t.codec.shardSize(t.blockSize) + 15);
  const into = [t.pool.take(intoSize), t.pool.take(intoSize)];
  let cur = 0;
  let block = blocks[0]!;
  let fill = 0;
  let size = 0;
  const reader = body.getReader();
  const flush = async (bytes: Uint8Array) => {
    md5.update(bytes);
    if (!writers.opened) await writers.open();
    await writers.push(t.codec.encode(bytes, into[cur]));
  };
  try {
    if (t.inlineLimit < 0) await writers.open();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limits.maxSize) throw new ObjectError({ kind: "EntityTooLarge", size, max: limits.maxSize });
      let off = 0;
      while (off < value.length) {
        const n = Math.min(value.length - off, block.length - fill);
        block.set(value.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === block.length) {
          await flush(block);
          cur ^= 1;
          block = blocks[cur]!;
          fill = 0;
        }
      }
    }
    const tail = block.subarray(0, fill);
    if (!writers.opened && size <= t.inlineLimit) {
      md5.update(tail);
      const md5Hex = md5.digest("hex");
      checkEnd(limits, size, md5Hex);
      const inline = size === 0 ? [] : encodeFrames(t.codec, tail);
      return { size, md5Hex, inline, alive: writers.alive };
    }
    if (fill > 0) await flush(tail);
    await writers.finish();
    const md5Hex = md5.digest("hex");
    checkEnd(limits, size, md5Hex);
    return { size, md5Hex, inline: null, alive: writers.alive };
  } catch (e) {
    await writers.abort();
    await reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    reader.releaseLock();
    // Safe to recycle: every write that referenced them has settled (finish/abort awaited it).
    for (const b of [...blocks, ...into]) t.pool.give(b);
  }
}
