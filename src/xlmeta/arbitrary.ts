/**
 * Seeded random XlMeta values for the codec's property tests and benchmark. Not part of the
 * public surface (index.ts does not export it): it exists so the tests explore the awkward
 * corners (null versions, delete markers, unicode and prototype-named metadata keys, int64
 * edge mod times, sizes beyond 2^32, empty and 128 KiB inline data) reproducibly by seed.
 */

import type { ErasureInfo, ObjectVersionMeta, PartMeta, VersionMeta, XlMeta } from "./types";
import { inlineKey } from "./invariants";

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough to drive property tests by seed. */
export function rngFromSeed(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[randInt(rng, 0, items.length - 1)] as T;
}

const ALPHABETS = ["abcXYZ019-_.", "äöüßéñ", "日本語中文한국어", "😀🪣🧪👩‍💻", "\u0000\t\n \"'\\<>&"];

export function randString(rng: Rng, maxLength: number): string {
  const chars = Array.from(pick(rng, ALPHABETS) + pick(rng, ALPHABETS));
  let out = "";
  const length = randInt(rng, 0, maxLength);
  for (let i = 0; i < length; i++) out += pick(rng, chars);
  return out;
}

export function randBytes(rng: Rng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (rng() * 256) | 0;
  return out;
}

/** UUID-shaped, but drawn from the seeded generator so a seed reproduces the whole value. */
export function randUuid(rng: Rng): string {
  const hex = Array.from(randBytes(rng, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function randStringMap(rng: Rng, maxEntries: number): Record<string, string> {
  const entries: [string, string][] = [];
  const special = ["__proto__", "constructor", "content-type", "x-amz-meta-"];
  for (let i = randInt(rng, 0, maxEntries); i > 0; i--) {
    const key = rng() < 0.2 ? pick(rng, special) : `x-amz-meta-${randString(rng, 12)}`;
    entries.push([key, randString(rng, 40)]);
  }
  return Object.fromEntries(entries);
}

function randErasure(rng: Rng): ErasureInfo {
  const dataBlocks = randInt(rng, 1, 12);
  const parityBlocks = randInt(rng, 0, 4);
  const distribution = Array.from({ length: dataBlocks + parityBlocks }, (_, i) => i + 1);
  // Fisher–Yates: a sort with a random comparator draws an engine-dependent number of values.
  for (let i = distribution.length - 1; i > 0; i--) {
    const j = randInt(rng, 0, i);
    [distribution[i], distribution[j]] = [distribution[j]!, distribution[i]!];
  }
  return {
    algorithm: "isa_l_rs_vand",
    dataBlocks,
    parityBlocks,
    blockSize: 1 << 20,
    index: randInt(rng, 1, dataBlocks + parityBlocks),
    distribution,
    bitrot: "xxh3-64",
  };
}

function randPart(rng: Rng, number: number): PartMeta {
  const part: PartMeta = { number, size: randInt(rng, 0, 5 * 2 ** 30), etag: randString(rng, 34) };
  if (rng() < 0.5) part.checksums = { CRC32: randString(rng, 8) };
  return part;
}

/** A random mod time, sometimes at the int64 edges that break float64. */
export function randModTime(rng: Rng): bigint {
  const r = rng();
  if (r < 0.05) return 0n;
  if (r < 0.1) return (1n << 63n) - 1n;
  return 1_700_000_000_000_000_000n + BigInt(randInt(rng, 0, 2 ** 40));
}

export interface VersionShape {
  versionId: string | null;
  modTime: bigint;
  inline: boolean;
}

export function randObjectVersion(rng: Rng, shape: VersionShape): ObjectVersionMeta {
  let number = 0;
  const parts = Array.from({ length: randInt(rng, 0, 4) }, () => randPart(rng, (number += randInt(rng, 1, 3))));
  const v: ObjectVersionMeta = {
    type: "object",
    versionId: shape.versionId,
    modTime: shape.modTime,
    size: parts.length > 0 ? parts.reduce((sum, p) => sum + p.size, 0) : randInt(rng, 0, 128 * 1024),
    etag: randString(rng, 34),
    storageClass: pick(rng, ["STANDARD", "REDUCED_REDUNDANCY"]),
    meta: randStringMap(rng, 6),
    parts,
    erasure: randErasure(rng),
    dataDir: shape.inline ? null : randUuid(rng),
    inline: shape.inline,
  };
  if (rng() < 0.5) v.checksums = randStringMap(rng, 2);
  if (rng() < 0.3) v.checksumType = pick(rng, ["COMPOSITE", "FULL_OBJECT"] as const);
  return v;
}

export interface MetaShape {
  versions: number;
  /** Largest inline data per version in bytes. */
  maxInline: number;
}

/** A valid XlMeta: unique ids (at most one null), newest first, inline data only on inline objects. */
export function randXlMeta(rng: Rng, shape: MetaShape): XlMeta {
  const versions: VersionMeta[] = [];
  const inline = new Map<string, Uint8Array>();
  const nullAt = rng() < 0.5 ? randInt(rng, 0, shape.versions - 1) : -1;
  for (let i = 0; i < shape.versions; i++) {
    const versionId = i === nullAt ? null : randUuid(rng);
    const modTime = randModTime(rng);
    if (rng() < 0.2) {
      versions.push({ type: "deleteMarker", versionId, modTime });
      continue;
    }
    const isInline = rng() < 0.5;
    versions.push(randObjectVersion(rng, { versionId, modTime, inline: isInline }));
    if (isInline && rng() < 0.9) {
      inline.set(inlineKey(versionId), randBytes(rng, randInt(rng, 0, shape.maxInline)));
    }
  }
  versions.sort((a, b) => (a.modTime === b.modTime ? 0 : a.modTime > b.modTime ? -1 : 1));
  return { versions, inline };
}
