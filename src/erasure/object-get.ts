/** GetObject / StatObject: agree on a version by quorum, then stream its bytes block by block. */
import {
  checkConditions,
  ObjectError,
  resolveRange,
  type ByteRange,
  type GetObjectOptions,
  type GetObjectResult,
  type ObjectInfo,
  type StatObjectOptions,
} from "../object/index";
import { inlineDataOf, type ObjectVersionMeta, type XlMeta } from "../xlmeta/index";
import { decodeRange, readWithinBlock, type DecodeSource, type FrameSource } from "./decode-stream";
import { ShardFiles } from "./shard-files";
import { toObjectInfo } from "./info";
import { hotRead, rememberRead, type HotRead } from "./hot-read";
import { readMetasShared, resolveVersion, type Resolved, type VersionSelector } from "./meta-read";
import type { ErasureSet, Loc } from "./set";

/** "null" on the wire is S3's null version. */
export function selector(versionId: string | undefined): VersionSelector {
  if (versionId === undefined) return undefined;
  return versionId === "null" ? null : versionId;
}

/** The agreed version and its info, from the hot-read memo when the decodes are unchanged. */
async function resolveObject(set: ErasureSet, loc: Loc, versionId: string | undefined): Promise<HotRead> {
  const sel = selector(versionId);
  const metas = await readMetasShared(set, loc);
  const hot = hotRead(metas, sel);
  if (hot) return hot;
  const r = resolveVersion(set, loc, metas, sel);
  if (r.needsHeal) set.cfg.heal.enqueue(loc.bucket, loc.key);
  if (r.version.type === "deleteMarker") {
    const marker = { deleteMarker: true, versionId: r.version.versionId };
    if (sel === undefined) throw new ObjectError({ kind: "ObjectNotFound", ...loc, ...marker });
    throw new ObjectError({ kind: "MethodNotAllowed", ...loc, reason: "the version is a delete marker", ...marker });
  }
  const info = Object.freeze(toObjectInfo(loc, r.version, r.ref.versions[0] === r.version));
  return rememberRead(metas, sel, { resolved: r, info, whole: null });
}

/** The byte range of part `partNumber` (1-based position in the part list, as S3 GETs it). */
function partRange(info: ObjectInfo, v: ObjectVersionMeta, partNumber: number): ByteRange | null {
  if (partNumber < 1 || partNumber > v.parts.length) {
    throw new ObjectError({ kind: "InvalidRange", size: info.size });
  }
  let start = 0;
  for (let i = 0; i < partNumber - 1; i++) start += v.parts[i]!.size;
  const size = v.parts[partNumber - 1]!.size;
  return size === 0 ? null : { start, end: start + size - 1 };
}

export async function statObject(set: ErasureSet, loc: Loc, opts: StatObjectOptions = {}): Promise<ObjectInfo> {
  const { resolved, info } = await set.cfg.locks.withRead(set.lockName(loc), () => resolveObject(set, loc, opts.versionId));
  checkConditions(info, opts.conditions);
  if (opts.partNumber !== undefined) partRange(info, resolved.version as ObjectVersionMeta, opts.partNumber);
  return info;
}

/** Per shard index, how to read it: from the agreeing drive that holds it. */
function shardSource(set: ErasureSet, loc: Loc, r: Resolved): DecodeSource {
  const v = r.version as ObjectVersionMeta;
  const total = v.erasure.dataBlocks + v.erasure.parityBlocks;
  const holder: number[] = new Array(total).fill(-1);
  r.metas.forEach((m, pos) => {
    if (!r.agree[pos] || !m.ok) return;
    const own = m.value.versions.find((x) => x.versionId === v.versionId) as ObjectVersionMeta;
    holder[own.erasure.index - 1] = pos;
  });
  const inlineOf = (pos: number) => inlineDataOf((r.metas[pos] as { value: XlMeta }).value, v.versionId);
  return {
    codec: set.codecFor(v.erasure),
    k: v.erasure.dataBlocks,
    blockSize: v.erasure.blockSize,
    parts: v.parts,
    present: holder.map((p) => p >= 0),
    loc,
    onBad: (_, why) => {
      if (why !== "offline") set.cfg.heal.enqueue(loc.bucket, loc.key, { deep: why === "corrupt" });
    },
    read: async (shard, part, offset, length) => {
      const pos = holder[shard]!;
      if (v.inline) {
        const data = inlineOf(pos) ?? new Uint8Array(0);
        return data.subarray(offset, offset + length);
      }
      return set.drives[pos]!.readFile(loc.bucket, loc.key, v.dataDir!, `part.${part}`, offset, length);
    },
    ...(v.inline ? {} : { frames: framesOf(set, loc, v.dataDir!, holder) }),
  };
}

/** Frames read from the shard files, each kept open while the stream reads it (ShardFiles). */
function framesOf(set: ErasureSet, loc: Loc, dataDir: string, holder: number[]): FrameSource {
  const files = new ShardFiles((shard, part) =>
    set.drives[holder[shard]!]!.openFile({ volume: loc.bucket, key: loc.key, dataDir, file: `part.${part}` }),
  );
  return { readInto: (at, into) => files.readInto(at, into), pool: set.cfg.pool, close: () => files.closeAll() };
}

/**
 * `served` of an inline object. The whole object is read once per hot read and kept with it,
 * unless a shard failed its check (then the heal must run and later reads look again).
 */
async function inlineBytes(set: ErasureSet, loc: Loc, hot: HotRead, served: ByteRange): Promise<Uint8Array | null> {
  const isWhole = served.start === 0 && served.end === hot.info.size - 1;
  if (isWhole && hot.whole) return hot.whole;
  const src = shardSource(set, loc, hot.resolved);
  const present = src.present.filter(Boolean).length;
  const bytes = await readWithinBlock(src, served);
  if (isWhole && bytes && src.present.filter(Boolean).length === present) hot.whole = bytes;
  return bytes;
}

/** A result read whole already; its stream is made only for a caller that asks for one. */
function inMemory(info: ObjectInfo, bytes: Uint8Array): GetObjectResult {
  let body: ReadableStream<Uint8Array> | undefined;
  return {
    info,
    bytes,
    get body() {
      return (body ??= new Blob([bytes]).stream());
    },
  };
}

export async function getObject(set: ErasureSet, loc: Loc, opts: GetObjectOptions = {}): Promise<GetObjectResult> {
  // The read lock is held until the body is consumed or cancelled, so a concurrent overwrite
  // cannot delete the data dir under a reader: readers see the old or the new object, whole.
  const release = await set.cfg.locks.read(set.lockName(loc));
  try {
    const hot = await resolveObject(set, loc, opts.versionId);
    const { resolved: r, info } = hot;
    checkConditions(info, opts.conditions);
    const v = r.version as ObjectVersionMeta;
    const range =
      opts.partNumber !== undefined ? partRange(info, v, opts.partNumber) : (resolveRange(opts.range, info.size) ?? null);
    const whole: ByteRange | null = info.size > 0 ? { start: 0, end: info.size - 1 } : null;
    const served = range ?? whole;
    const bytes = v.inline && served ? await inlineBytes(set, loc, hot, served) : null;
    const out: GetObjectResult = bytes ? inMemory(info, bytes) : { info, body: decodeRange(shardSource(set, loc, r), served, { done: release }) };
    if (bytes) release();
    if (range && (opts.range || opts.partNumber !== undefined)) out.range = range;
    return out;
  } catch (e) {
    release();
    throw e;
  }
}
