/**
 * The GET data path: a ReadableStream that pulls one 1 MiB block at a time, reading data shards
 * first, verifying each frame's bitrot hash, and reading parity shards (then decoding) only
 * when a data shard is missing or corrupt. Only blocks overlapping the range are touched.
 */
import type { Codec } from "../ec/index";
import type { ByteRange } from "../object/index";
import type { PartMeta } from "../xlmeta/index";
import { frameAt, HASH_LEN, verifyFrame } from "./bitrot";
import { DriveError } from "../storage/index";
import { releasable } from "../lib/index";
import type { BufferPool } from "./buffers";
import { quorumError, type ErrLoc } from "./quorum";

/** Reads `length` bytes at `offset` of shard `shard` (0-based) of part `part`. */
export type ShardRead = (shard: number, part: number, offset: number, length: number) => Promise<Uint8Array>;
/** Reads `into.length` bytes at `offset` of shard `shard` of part `part` into `into`. */
export type ShardReadInto = (at: { shard: number; part: number; offset: number }, into: Uint8Array) => Promise<void>;

/** Where a stream's frames come from (see DecodeSource.frames). */
export interface FrameSource {
  readInto: ShardReadInto;
  pool: BufferPool;
  /** The stream has stopped reading (ended, failed, cancelled or idle): its open files may close. */
  close?: () => void;
}

export interface DecodeSource {
  codec: Codec;
  k: number;
  blockSize: number;
  parts: readonly PartMeta[];
  /** Per 0-based shard index: is there a drive that should hold it? */
  present: boolean[];
  read: ShardRead;
  /**
   * Streams read frames into buffers lent by `pool` instead (shard files on drives), so a large
   * GET does not touch fresh memory per block; a frame goes back once every chunk cut from it
   * has been released by the consumer (lib/chunk-release.ts), else it is left to the GC.
   */
  frames?: FrameSource;
  /** Called once per shard found missing, corrupt or unreachable (to schedule a heal). */
  onBad: (shard: number, why: "missing" | "corrupt" | "offline") => void;
  loc: ErrLoc;
}

function markBad(src: DecodeSource, shard: number, why: "missing" | "corrupt" | "offline"): void {
  if (!src.present[shard]) return;
  src.present[shard] = false;
  src.onBad(shard, why);
}

function whyFailed(e: unknown): "missing" | "corrupt" | "offline" {
  if (!(e instanceof DriveError)) return "offline";
  if (e.kind === "FileNotFound" || e.kind === "VolumeNotFound") return "missing";
  return e.kind === "FileCorrupt" ? "corrupt" : "offline";
}

/** The pooled frame buffers one block was read into, handed back when its chunks are released. */
class FrameLease {
  private readonly buffers: Uint8Array[] = [];
  private out = 0;

  constructor(private readonly pool: BufferPool) {}

  /** A buffer for a frame of `length` bytes: always the full frame size, so the pool reuses it. */
  take(src: DecodeSource, length: number): Uint8Array {
    const buf = this.pool.take(Math.max(length, HASH_LEN + src.codec.shardSize(src.blockSize)));
    this.buffers.push(buf);
    return buf.subarray(0, length);
  }

  /** Marks each chunk as freeing one share of the lease; with no chunks the buffers go back now. */
  lend(chunks: Uint8Array[]): Uint8Array[] {
    this.out = chunks.length;
    if (this.out === 0) this.giveBack();
    return chunks.map((c) => releasable(c, () => --this.out === 0 && this.giveBack()));
  }

  giveBack(): void {
    for (const b of this.buffers.splice(0)) this.pool.give(b);
  }
}

async function readFrame(src: DecodeSource, at: { shard: number; part: number; offset: number; length: number }, lease?: FrameLease) {
  if (!lease || !src.frames) return src.read(at.shard, at.part, at.offset, at.length);
  const into = lease.take(src, at.length);
  await src.frames.readInto(at, into);
  return into;
}

async function readShardFrame(
  src: DecodeSource,
  at: { shard: number; part: number; b: number; partSize: number },
  lease?: FrameLease,
) {
  const blockLen = Math.min(src.blockSize, at.partSize - at.b * src.blockSize);
  const shardLen = src.codec.shardSize(blockLen);
  const { offset, length } = frameAt({ blockSize: src.blockSize, shardSize: (n) => src.codec.shardSize(n) }, at.partSize, at.b);
  try {
    const frame = await readFrame(src, { shard: at.shard, part: at.part, offset, length }, lease);
    const shard = verifyFrame(frame, shardLen);
    if (!shard) markBad(src, at.shard, "corrupt");
    return shard;
  } catch (e) {
    markBad(src, at.shard, whyFailed(e));
    return null;
  }
}

/** Block length of block `b` of part `partIndex`. */
export function blockLength(src: DecodeSource, partIndex: number, b: number): number {
  return Math.min(src.blockSize, src.parts[partIndex]!.size - b * src.blockSize);
}

/** At least k verified shards of block `b` (null where not read or bad). */
export async function readBlockShards(
  src: DecodeSource,
  partIndex: number,
  b: number,
  lease?: FrameLease,
): Promise<(Uint8Array | null)[]> {
  const part = src.parts[partIndex]!;
  const total = src.present.length;
  const shards: (Uint8Array | null)[] = new Array(total).fill(null);
  const tried = new Set<number>();
  let good = 0;
  while (good < src.k) {
    const want: number[] = [];
    for (let i = 0; i < total && want.length < src.k - good; i++) {
      if (!tried.has(i) && src.present[i]) want.push(i);
    }
    if (want.length === 0) throw quorumError("read", src.loc, good, src.k);
    for (const i of want) tried.add(i);
    const got = await Promise.all(
      want.map((shard) => readShardFrame(src, { shard, part: part.number, b, partSize: part.size }, lease)),
    );
    got.forEach((s, j) => {
      if (s) {
        shards[want[j]!] = s;
        good++;
      }
    });
  }
  return shards;
}

/** Block `b` as pieces: zero-copy views of the data shards (rebuilt ones where missing). */
async function readBlockPieces(src: DecodeSource, partIndex: number, b: number, lease?: FrameLease): Promise<Uint8Array[]> {
  return src.codec.dataViews(await readBlockShards(src, partIndex, b, lease), blockLength(src, partIndex, b));
}

/** The bytes [from, to) of the concatenation of `pieces`, as views. */
function slicePieces(pieces: Uint8Array[], from: number, to: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let base = 0;
  for (const p of pieces) {
    const a = Math.max(from, base);
    const z = Math.min(to, base + p.length);
    if (a < z) out.push(p.subarray(a - base, z - base));
    base += p.length;
  }
  return out;
}

/** Where byte `pos` of the object lies: part index and offset within the part. */
function locate(parts: readonly PartMeta[], pos: number): { partIndex: number; offset: number } {
  let base = 0;
  for (let i = 0; i < parts.length; i++) {
    const size = parts[i]!.size;
    if (pos < base + size) return { partIndex: i, offset: pos - base };
    base += size;
  }
  throw new RangeError(`offset ${pos} beyond the object`);
}

/**
 * `range` (inclusive) as one buffer, when it lies inside a single block: the whole of a small
 * (inline) object costs one block read and one copy instead of a stream, its pulls and a join.
 * null when the range spans blocks (stream it).
 */
export async function readWithinBlock(src: DecodeSource, range: ByteRange): Promise<Uint8Array | null> {
  const { partIndex, offset } = locate(src.parts, range.start);
  const b = Math.floor(offset / src.blockSize);
  const from = offset - b * src.blockSize;
  const to = from + (range.end - range.start + 1);
  if (to > blockLength(src, partIndex, b)) return null;
  const out = new Uint8Array(to - from);
  let at = 0;
  for (const piece of slicePieces(await readBlockPieces(src, partIndex, b), from, to)) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

/**
 * A body nobody pulls for this long gives up its `done` (the caller's read lock), so a client
 * that vanished without cancelling cannot block writers of the key forever. Reading on later
 * stays correct: shards are addressed by the resolved version's data dir, so an overwrite
 * meanwhile makes the stream fail, never mix old and new bytes.
 */
export const IDLE_RELEASE_MS = 30_000;

/** A pull-based stream of `range` (inclusive); `done` runs once when it ends, errs, is cancelled or idles. */
export function decodeRange(
  src: DecodeSource,
  range: ByteRange | null,
  life: { done: () => void; idleMs?: number },
): ReadableStream<Uint8Array> {
  const done = life.done;
  let pos = range ? range.start : 0;
  const end = range ? range.end + 1 : 0;
  let finished = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    clearTimeout(idle);
    src.frames?.close?.();
    if (!finished) {
      finished = true;
      done();
    }
  };
  const armIdle = () => {
    clearTimeout(idle);
    if (!finished) idle = setTimeout(finish, life.idleMs ?? IDLE_RELEASE_MS).unref();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        clearTimeout(idle);
        try {
          if (pos >= end) {
            finish();
            ctrl.close();
            return;
          }
          const { partIndex, offset } = locate(src.parts, pos);
          const b = Math.floor(offset / src.blockSize);
          const lease = src.frames && new FrameLease(src.frames.pool);
          const pieces = await readBlockPieces(src, partIndex, b, lease).catch((e: unknown) => {
            lease?.giveBack(); // nothing was cut from them yet
            throw e;
          });
          const from = offset - b * src.blockSize;
          const to = Math.min(blockLength(src, partIndex, b), from + (end - pos));
          const chunks = slicePieces(pieces, from, to);
          for (const chunk of lease ? lease.lend(chunks) : chunks) ctrl.enqueue(chunk);
          pos += to - from;
          armIdle();
        } catch (e) {
          finish();
          ctrl.error(e);
        }
      },
      cancel() {
        finish();
      },
    },
    { highWaterMark: 1 },
  );
}
