/**
 * healObject: make every online drive hold the agreed xl.meta and its own shard of every
 * version. Missing or corrupt shards are rebuilt block by block from k verified shards on other
 * drives (codec.reconstruct), staged under tmp, and committed beside a rewritten xl.meta. Keys
 * left on fewer drives than quorum after a delete (dangling) are removed.
 */
import { isObjectError, ObjectError, type DriveHealState, type HealOptions, type HealOutcome, type HealResult } from "../object/index";
import { DriveError, ownTmp, type FileWriter } from "../storage/index";
import { encodeXlMeta, inlineDataOf, type ObjectVersionMeta, type XlMeta } from "../xlmeta/index";
import { codecShardFileSize, frameShard } from "./bitrot";
import { countHeal } from "./events";
import { removeStaging } from "./commit";
import { blockLength, readBlockShards, type DecodeSource } from "./decode-stream";
import { chooseRef, dataState, metaState, type DataState } from "./heal-check";
import { removeOrphanDataDirs } from "./heal-orphans";
import { readMetas, resolveLatestOrNull, type MetaResults } from "./meta-read";
import { versionForDrive } from "./object-put";
import type { ErasureSet, Loc } from "./set";

interface Plan {
  before: DriveHealState[];
  /** Per version id key: per drive position, its data state (null: drive offline). */
  data: Map<string, (DataState | null)[]>;
}

const vkey = (v: { versionId: string | null }) => v.versionId ?? "null";

function ownMeta(metas: MetaResults, pos: number): XlMeta {
  const r = metas[pos]!;
  return r.ok ? r.value : { versions: [], inline: new Map() };
}

async function survey(set: ErasureSet, loc: Loc, metas: MetaResults, ref: XlMeta, deep: boolean): Promise<Plan> {
  const before = metas.map((r) => metaState(r, ref));
  const data = new Map<string, (DataState | null)[]>();
  for (const v of ref.versions) {
    if (v.type !== "object") continue;
    const states = await Promise.all(
      metas.map(async (_, pos) => {
        if (before[pos] === "offline") return null;
        try {
          return await dataState(set, loc, { pos, own: ownMeta(metas, pos), v }, deep);
        } catch {
          return null;
        }
      }),
    );
    states.forEach((s, pos) => {
      if (s === null) before[pos] = "offline";
      else if (s !== "ok" && before[pos] === "ok") before[pos] = s;
    });
    data.set(vkey(v), states);
  }
  return { before, data };
}

function sourceFor(set: ErasureSet, loc: Loc, v: ObjectVersionMeta, metas: MetaResults, ok: boolean[]): DecodeSource {
  const total = v.erasure.dataBlocks + v.erasure.parityBlocks;
  const holder: number[] = new Array(total).fill(-1);
  ok.forEach((good, pos) => {
    if (good) holder[v.erasure.distribution[pos]! - 1] = pos;
  });
  return {
    codec: set.codecFor(v.erasure),
    k: v.erasure.dataBlocks,
    blockSize: v.erasure.blockSize,
    parts: v.inline ? [{ number: 1, size: v.size, etag: v.etag }] : v.parts,
    present: holder.map((p) => p >= 0),
    loc,
    onBad: () => undefined,
    read: async (shard, part, offset, length) => {
      const pos = holder[shard]!;
      if (v.inline) return inlineDataOf(ownMeta(metas, pos), v.versionId)!.subarray(offset, offset + length);
      return set.drives[pos]!.readFile(loc.bucket, loc.key, v.dataDir!, `part.${part}`, offset, length);
    },
  };
}

/** Rebuilds version `v`'s shards for `targets`: inline frames, or staged files under `tmp`. */
async function rebuild(
  set: ErasureSet,
  src: DecodeSource,
  job: { v: ObjectVersionMeta; targets: number[]; tmp: string },
): Promise<Map<number, Uint8Array>> {
  const { v, targets } = job;
  const missing = targets.map((pos) => v.erasure.distribution[pos]! - 1);
  const inline = new Map<number, Uint8Array>();
  for (let pi = 0; pi < src.parts.length; pi++) {
    const part = src.parts[pi]!;
    const fileSize = codecShardFileSize(src.codec, src.blockSize, part.size);
    const writers: FileWriter[] = v.inline
      ? []
      : await Promise.all(targets.map((pos) => set.drives[pos]!.createSysWriter(`${job.tmp}/${v.dataDir}/part.${part.number}`, fileSize)));
    try {
      for (let b = 0; b * src.blockSize < part.size; b++) {
        const shards = await readBlockShards(src, pi, b);
        const rebuilt = src.codec.reconstruct(shards, blockLength(src, pi, b), missing).map(frameShard);
        if (v.inline) targets.forEach((pos, i) => inline.set(pos, rebuilt[i]!));
        else await Promise.all(writers.map((w, i) => w.write(rebuilt[i]!)));
      }
      await Promise.all(writers.map((w) => w.close()));
    } catch (e) {
      await Promise.all(writers.map((w) => w.abort().catch(() => undefined)));
      throw e;
    }
  }
  return inline;
}

function driveMeta(ref: XlMeta, pos: number, inlineFrames: Map<string, Uint8Array>): XlMeta {
  return {
    versions: ref.versions.map((v) => (v.type === "object" ? versionForDrive(v, pos) : v)),
    inline: inlineFrames,
  };
}

async function quiet(p: Promise<unknown>): Promise<void> {
  await p.catch((e) => {
    if (!(e instanceof DriveError && (e.kind === "FileNotFound" || e.kind === "VolumeExists"))) throw e;
  });
}

async function applyHeal(set: ErasureSet, loc: Loc, at: { metas: MetaResults; ref: XlMeta; plan: Plan }): Promise<DriveHealState[]> {
  const { metas, ref, plan } = at;
  const after = [...plan.before];
  const needs = plan.before.map((s) => s === "missing" || s === "corrupt");
  const inlineOf = metas.map((_, pos) => new Map<string, Uint8Array>());
  const staged = metas.map(() => [] as { tmp: string; dataDir: string }[]);
  const tmp = `${ownTmp()}/${crypto.randomUUID()}`;
  try {
    for (const v of ref.versions) {
      if (v.type !== "object") continue;
      const states = plan.data.get(vkey(v))!;
      const targets = states.flatMap((s, pos) => (s !== null && s !== "ok" ? [pos] : []));
      states.forEach((s, pos) => {
        const own = inlineDataOf(ownMeta(metas, pos), v.versionId);
        if (s === "ok" && v.inline && own) inlineOf[pos]!.set(vkey(v), own);
      });
      if (targets.length === 0 || v.size === 0) continue;
      for (const pos of targets) await quiet(set.drives[pos]!.makeVolume(loc.bucket));
      const src = sourceFor(set, loc, v, metas, states.map((s) => s === "ok"));
      const frames = await rebuild(set, src, { v, targets, tmp });
      for (const [pos, f] of frames) inlineOf[pos]!.set(vkey(v), f);
      if (!v.inline) for (const pos of targets) staged[pos]!.push({ tmp, dataDir: v.dataDir! });
    }
    await Promise.all(
      needs.map(async (need, pos) => {
        if (!need) return;
        const d = set.drives[pos]!;
        const bytes = encodeXlMeta(driveMeta(ref, pos, inlineOf[pos]!));
        try {
          await quiet(d.makeVolume(loc.bucket));
          if (staged[pos]!.length === 0) await d.writeMeta(loc.bucket, loc.key, bytes);
          for (const s of staged[pos]!) {
            await quiet(d.deleteDataDir(loc.bucket, loc.key, s.dataDir));
            await d.commit(loc.bucket, loc.key, bytes, { staging: s.tmp, dataDir: s.dataDir });
          }
          after[pos] = "healed";
        } catch {
          // stays as it was; the next heal pass retries
        }
      }),
    );
  } finally {
    await removeStaging(set.drives, tmp);
  }
  return after;
}

function result(set: ErasureSet, loc: Loc, before: DriveHealState[], after: DriveHealState[]): HealResult {
  return {
    bucket: loc.bucket,
    key: loc.key,
    drives: set.drives.map((d, i) => ({ drive: d.endpoint, before: before[i]!, after: after[i]! })),
    objectsHealed: after.some((s) => s === "healed") ? 1 : 0,
  };
}

/** Removes a key that exists on fewer drives than read quorum (a delete some drives missed). */
async function removeDangling(set: ErasureSet, loc: Loc, metas: MetaResults, dryRun: boolean): Promise<HealResult> {
  const before: DriveHealState[] = metas.map((r) => (r.ok ? "corrupt" : r.error.kind === "FileNotFound" ? "ok" : r.error.kind === "FileCorrupt" ? "corrupt" : "offline"));
  const after = [...before];
  if (!dryRun) {
    await Promise.all(
      before.map(async (s, pos) => {
        if (s !== "corrupt") return;
        await set.drives[pos]!.deleteObject(loc.bucket, loc.key).then(
          () => (after[pos] = "healed"),
          () => undefined,
        );
      }),
    );
  }
  return result(set, loc, before, after);
}

function outcomeOf(r: HealResult): HealOutcome {
  if (r.drives.some((d) => d.after === "missing" || d.after === "corrupt")) return "failed";
  return r.objectsHealed > 0 ? "healed" : "clean";
}

/** Every heal (on read, of a bucket, by request) passes here and is counted; dry runs are not. */
export async function healObject(set: ErasureSet, loc: Loc, opts: HealOptions = {}): Promise<HealResult> {
  if (opts.dryRun) return healOnce(set, loc, opts);
  try {
    const r = await healOnce(set, loc, opts);
    countHeal(outcomeOf(r));
    return r;
  } catch (e) {
    // A key deleted since it was queued or listed had nothing left to heal.
    if (!isObjectError(e, "ObjectNotFound")) countHeal("failed");
    throw e;
  }
}

async function healOnce(set: ErasureSet, loc: Loc, opts: HealOptions): Promise<HealResult> {
  return set.cfg.locks.withWrite(set.lockName(loc), async () => {
    const metas = await readMetas(set, loc);
    const resolved = resolveLatestOrNull(set, loc, metas);
    if (!resolved) {
      if (metas.every((r) => !r.ok && r.error.kind === "FileNotFound")) throw new ObjectError({ kind: "ObjectNotFound", ...loc });
      return removeDangling(set, loc, metas, opts.dryRun === true);
    }
    const ref = chooseRef(metas, resolved.agree);
    const plan = await survey(set, loc, metas, ref, opts.deep === true);
    if (opts.dryRun) return result(set, loc, plan.before, plan.before);
    const after = plan.before.every((s) => s === "ok" || s === "offline") ? plan.before : await applyHeal(set, loc, { metas, ref, plan });
    await removeOrphanDataDirs(set, loc);
    return result(set, loc, plan.before, after);
  });
}
