/**
 * The msgpack body: typed values ↔ explicit short-key maps. Key names are the format, so
 * they are spelled out here once and never derived from TypeScript property names (renaming a
 * field in types.ts must not silently change what is on disk).
 *
 *   body     { v: version[], i: [key, length][] }            i: the inline section's index
 *   object   { t: 1, id, mt, sz, et, cs?, ck?, sc, md, pt, ec, dd, il }
 *   marker   { t: 2, id, mt }
 *   part     { n, sz, et, cs? }
 *   erasure  { al, k, m, bs, ix, ds, br }    v1; v2 has no ix (the frame's drive section holds it)
 * String maps (cs, md) are flat [k, v, …] arrays; mt is always an int64.
 */

import type {
  DeleteMarkerMeta,
  ErasureInfo,
  ObjectVersionMeta,
  PartMeta,
  VersionMeta,
} from "./types";
import {
  array,
  boolean,
  corrupt,
  flattenMap,
  integer,
  modTime,
  NON_NEGATIVE,
  record,
  string,
  stringMap,
  stringOrNull,
  type Wire,
} from "./read-checks";

const TYPE_OBJECT = 1;
const TYPE_DELETE_MARKER = 2;
/** S3 caps multipart uploads at 10,000 parts. */
const MAX_PART_NUMBER = 10_000;
/** liberasurecode's own ceiling on k + m. */
const MAX_SHARDS = 256;

export interface WireBody {
  v: Wire[];
  i: [string, number][];
}

export interface DecodedBody {
  versions: VersionMeta[];
  inlineIndex: [string, number][];
}

/**
 * The drive's erasure index is in the body only in v1 (`withIndex`); v2 bodies leave it out, so
 * every drive of a set writes the same body.
 */
function erasureToWire(e: ErasureInfo, withIndex: boolean): Wire {
  const w: Wire = { al: e.algorithm, k: e.dataBlocks, m: e.parityBlocks, bs: e.blockSize };
  if (withIndex) w.ix = e.index;
  w.ds = e.distribution;
  w.br = e.bitrot;
  return w;
}

function partToWire(p: PartMeta): Wire {
  const w: Wire = { n: p.number, sz: p.size, et: p.etag };
  if (p.checksums !== undefined) w.cs = flattenMap(p.checksums);
  return w;
}

export function versionToWire(v: VersionMeta, withIndex: boolean): Wire {
  if (v.type === "deleteMarker") return { t: TYPE_DELETE_MARKER, id: v.versionId, mt: v.modTime };
  const w: Wire = {
    t: TYPE_OBJECT,
    id: v.versionId,
    mt: v.modTime,
    sz: v.size,
    et: v.etag,
    sc: v.storageClass,
    md: flattenMap(v.meta),
    pt: v.parts.map(partToWire),
    ec: erasureToWire(v.erasure, withIndex),
    dd: v.dataDir,
    il: v.inline,
  };
  if (v.checksums !== undefined) w.cs = flattenMap(v.checksums);
  if (v.checksumType !== undefined) w.ck = v.checksumType;
  return w;
}

/** Whether values already checked to lie in 1 … length are all different. */
function distinct(values: number[]): boolean {
  const seen = new Uint8Array(values.length + 1);
  for (const v of values) {
    if (seen[v] === 1) return false;
    seen[v] = 1;
  }
  return true;
}

/** `index`: the drive section's value (v2), or undefined to read the body's `ix` (v1). */
function erasureFromWire(value: unknown, index: number | undefined): ErasureInfo {
  const w = record(value, "erasure");
  if ((index === undefined) === (w.ix === undefined)) throw corrupt("erasure.ix: expected in exactly one of body and drive section");
  const dataBlocks = integer(w.k, "erasure.k", { min: 1, max: MAX_SHARDS });
  const parityBlocks = integer(w.m, "erasure.m", { min: 0, max: MAX_SHARDS - dataBlocks });
  const shards = { min: 1, max: dataBlocks + parityBlocks };
  const distribution = array(w.ds, "erasure.ds").map((d) => integer(d, "erasure.ds", shards));
  if (distribution.length !== shards.max || !distinct(distribution)) throw corrupt("erasure.ds: not a permutation of the shards");
  if (w.br !== "xxh3-64") throw corrupt("erasure.br: unknown bitrot algorithm");
  return {
    algorithm: string(w.al, "erasure.al"),
    dataBlocks,
    parityBlocks,
    blockSize: integer(w.bs, "erasure.bs", { min: 1, max: 0xffff_ffff }),
    index: integer(index ?? w.ix, "erasure.ix", shards),
    distribution,
    bitrot: w.br,
  };
}

function partFromWire(value: unknown): PartMeta {
  const w = record(value, "part");
  const part: PartMeta = {
    number: integer(w.n, "part.n", { min: 1, max: MAX_PART_NUMBER }),
    size: integer(w.sz, "part.sz", NON_NEGATIVE),
    etag: string(w.et, "part.et"),
  };
  if (w.cs !== undefined) part.checksums = stringMap(w.cs, "part.cs");
  return part;
}

function checksumType(value: unknown): ObjectVersionMeta["checksumType"] {
  if (value === "COMPOSITE" || value === "FULL_OBJECT") return value;
  throw corrupt("version.ck: unknown checksum type");
}

function objectFromWire(w: Wire, versionId: string | null, index: number | undefined): ObjectVersionMeta {
  const inline = boolean(w.il, "version.il");
  const dataDir = stringOrNull(w.dd, "version.dd");
  if (inline && dataDir !== null) throw corrupt("version: inline with a data dir");
  const v: ObjectVersionMeta = {
    type: "object",
    versionId,
    modTime: modTime(w.mt, "version.mt"),
    size: integer(w.sz, "version.sz", NON_NEGATIVE),
    etag: string(w.et, "version.et"),
    storageClass: string(w.sc, "version.sc"),
    meta: stringMap(w.md, "version.md"),
    parts: array(w.pt, "version.pt").map(partFromWire),
    erasure: erasureFromWire(w.ec, index),
    dataDir,
    inline,
  };
  if (w.cs !== undefined) v.checksums = stringMap(w.cs, "version.cs");
  if (w.ck !== undefined) v.checksumType = checksumType(w.ck);
  return v;
}

/** `index`: as for erasureFromWire; a delete marker's drive-section value must be 0. */
export function versionFromWire(value: unknown, index: number | undefined): VersionMeta {
  const w = record(value, "version");
  const versionId = stringOrNull(w.id, "version.id");
  if (w.t === TYPE_DELETE_MARKER) {
    if (index !== undefined && index !== 0) throw corrupt("drive section: an index for a delete marker");
    const marker: DeleteMarkerMeta = {
      type: "deleteMarker",
      versionId,
      modTime: modTime(w.mt, "version.mt"),
    };
    return marker;
  }
  if (w.t === TYPE_OBJECT) return objectFromWire(w, versionId, index);
  throw corrupt("version.t: unknown version type");
}

function inlineIndexFromWire(value: unknown): [string, number][] {
  return array(value, "inline index").map((entry) => {
    const pair = array(entry, "inline index entry");
    if (pair.length !== 2) throw corrupt("inline index entry: expected [key, length]");
    return [string(pair[0], "inline key"), integer(pair[1], "inline length", NON_NEGATIVE)];
  });
}

/**
 * `indexes`: the drive section's erasure index per version (v2), or null where the body holds
 * them (v1).
 */
export function bodyFromWire(value: unknown, indexes: readonly number[] | null): DecodedBody {
  const w = record(value, "body");
  const versions = array(w.v, "body.v");
  if (indexes !== null && indexes.length !== versions.length) throw corrupt("drive section: not one index per version");
  return {
    versions: versions.map((v, i) => versionFromWire(v, indexes?.[i])),
    inlineIndex: inlineIndexFromWire(w.i),
  };
}
