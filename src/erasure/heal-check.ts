/**
 * What each drive lacks for one object: its xl.meta (missing, corrupt or stale against the
 * agreed one) and, per version, its shard data (missing or failing bitrot). Normal checks look
 * at shard file presence and length; deep checks verify every block's hash.
 */
import type { DriveHealState } from "../object/index";
import { DriveError } from "../storage/index";
import { inlineDataOf, type ObjectVersionMeta, type XlMeta } from "../xlmeta/index";
import { frameAt, shardFileSize, verifyFrame, blockCount } from "./bitrot";
import { versionSignature, type MetaResults } from "./meta-read";
import type { ErasureSet, Loc } from "./set";

export type DataState = "ok" | "missing" | "corrupt";

export function fullSignature(meta: XlMeta): string {
  return meta.versions.map(versionSignature).join(",");
}

/** The full version list most agreeing drives share (a drive may agree on the latest only). */
export function chooseRef(metas: MetaResults, agree: boolean[]): XlMeta {
  const groups = new Map<string, { meta: XlMeta; n: number }>();
  metas.forEach((r, i) => {
    if (!agree[i] || !r.ok) return;
    const sig = fullSignature(r.value);
    const g = groups.get(sig) ?? { meta: r.value, n: 0 };
    g.n++;
    groups.set(sig, g);
  });
  return [...groups.values()].sort((a, b) => b.n - a.n)[0]!.meta;
}

export function metaState(r: MetaResults[number], ref: XlMeta): DriveHealState {
  if (!r.ok) {
    switch (r.error.kind) {
      case "FileNotFound":
      case "VolumeNotFound":
        return "missing";
      case "FileCorrupt":
        return "corrupt";
      default:
        return "offline";
    }
  }
  return fullSignature(r.value) === fullSignature(ref) ? "ok" : "corrupt";
}

function geometry(set: ErasureSet, v: ObjectVersionMeta) {
  const codec = set.codecFor(v.erasure);
  return { codec, g: { blockSize: v.erasure.blockSize, shardSize: (n: number) => codec.shardSize(n) } };
}

async function fileState(read: () => Promise<Uint8Array>, check: (b: Uint8Array) => boolean): Promise<DataState> {
  try {
    return check(await read()) ? "ok" : "corrupt";
  } catch (e) {
    if (e instanceof DriveError && e.kind === "FileNotFound") return "missing";
    if (e instanceof DriveError && e.kind === "FileCorrupt") return "corrupt";
    throw e;
  }
}

/** State of version `v`'s shard on drive `pos`, whose own xl.meta is `own`. */
export async function dataState(
  set: ErasureSet,
  loc: Loc,
  at: { pos: number; own: XlMeta; v: ObjectVersionMeta },
  deep: boolean,
): Promise<DataState> {
  const { v, pos, own } = at;
  const mine = own.versions.find((x) => x.versionId === v.versionId);
  if (!mine || versionSignature(mine) !== versionSignature(v)) return "missing";
  if (v.size === 0) return "ok";
  const { codec, g } = geometry(set, v);
  if (v.inline) {
    const frame = inlineDataOf(own, v.versionId);
    if (!frame) return "missing";
    return verifyFrame(frame, codec.shardSize(v.size)) ? "ok" : "corrupt";
  }
  const drive = set.drives[pos]!;
  for (const part of v.parts) {
    if (part.size === 0) continue;
    const read = (offset: number, length: number) =>
      drive.readFile(loc.bucket, loc.key, v.dataDir!, `part.${part.number}`, offset, length);
    if (!deep) {
      const st = await fileState(() => read(shardFileSize(g, part.size) - 1, 1), (b) => b.length === 1);
      if (st !== "ok") return st;
      continue;
    }
    for (let b = 0; b < blockCount(part.size, g.blockSize); b++) {
      const f = frameAt(g, part.size, b);
      const shardLen = codec.shardSize(Math.min(g.blockSize, part.size - b * g.blockSize));
      const st = await fileState(() => read(f.offset, f.length), (bytes) => verifyFrame(bytes, shardLen) !== null);
      if (st !== "ok") return st;
    }
  }
  return "ok";
}
