/**
 * The on-drive records of multipart uploads, under `.cairn.sys/multipart/<sha256(bucket/key)>/<uploadId>/`:
 * `upload.json` (the upload's metadata and erasure plan, on every drive), `part.N.json` (one
 * per uploaded part, on the drives that hold its shards) and `<dataDir>/part.N` (the shards).
 * Reads take the answer most drives give.
 */
import { ObjectError } from "../object/index";
import { DriveError, type Drive } from "../storage/index";
import { fanOut } from "./quorum";
import type { ErasureSet, Loc } from "./set";

export interface UploadRecord {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: number;
  meta: Record<string, string>;
  storageClass: string;
  k: number;
  m: number;
  algorithm: string;
  distribution: number[];
  dataDir: string;
  checksumAlgorithm?: string;
  checksumType?: "COMPOSITE" | "FULL_OBJECT";
}

export interface PartRecord {
  number: number;
  size: number;
  etag: string;
  modTime: number;
  checksums?: Record<string, string>;
}

export function keyHash(loc: Loc): string {
  return new Bun.CryptoHasher("sha256").update(`${loc.bucket}/${loc.key}`).digest("hex");
}

export function uploadDir(loc: Loc, uploadId: string): string {
  return `multipart/${keyHash(loc)}/${uploadId}`;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function toJson(v: unknown): Uint8Array {
  return enc.encode(JSON.stringify(v));
}

/** Reads a small JSON sys file from every drive; null per drive where absent or unreadable. */
export async function readJsonAll<T>(drives: readonly Drive[], path: string): Promise<(T | null)[]> {
  const rs = await fanOut(drives, async (d) => JSON.parse(dec.decode(await d.readSysFile(path))) as T);
  return rs.map((r) => (r.ok ? r.value : null));
}

/** The value most drives agree on (by `id`), with the positions holding it. */
export function majority<T>(values: (T | null)[], id: (v: T) => string): { value: T; positions: number[] } | null {
  const groups = new Map<string, { value: T; positions: number[] }>();
  values.forEach((v, pos) => {
    if (v === null) return;
    const k = id(v);
    const g = groups.get(k) ?? { value: v, positions: [] };
    g.positions.push(pos);
    groups.set(k, g);
  });
  return [...groups.values()].sort((a, b) => b.positions.length - a.positions.length)[0] ?? null;
}

export async function readUpload(set: ErasureSet, loc: Loc, uploadId: string): Promise<UploadRecord> {
  const notFound = new ObjectError({ kind: "UploadNotFound", ...loc, uploadId });
  if (!/^[0-9a-zA-Z-]{1,64}$/.test(uploadId)) throw notFound;
  const all = await readJsonAll<UploadRecord>(set.drives, `${uploadDir(loc, uploadId)}/upload.json`);
  const best = majority(all, (u) => `${u.uploadId}|${u.dataDir}`);
  if (!best || best.positions.length < best.value.k) throw notFound;
  if (best.value.bucket !== loc.bucket || best.value.key !== loc.key) throw notFound;
  return best.value;
}

/** Part records by part number, agreed by at least `need` drives; also who holds each. */
export async function readPart(
  set: ErasureSet,
  dir: string,
  number: number,
  need: number,
): Promise<{ part: PartRecord; holders: boolean[] } | null> {
  const all = await readJsonAll<PartRecord>(set.drives, `${dir}/part.${number}.json`);
  const best = majority(all, (p) => `${p.etag}|${p.size}`);
  if (!best || best.positions.length < need) return null;
  return { part: best.value, holders: set.drives.map((_, i) => best.positions.includes(i)) };
}

/** Part numbers recorded on any drive of the upload. */
export async function listPartNumbers(set: ErasureSet, dir: string): Promise<number[]> {
  const rs = await fanOut(set.drives, (d) => d.listSysDir(dir));
  const nums = new Set<number>();
  for (const r of rs) {
    if (!r.ok) continue;
    for (const name of r.value) {
      const m = /^part\.(\d+)\.json$/.exec(name);
      if (m) nums.add(Number(m[1]));
    }
  }
  return [...nums].sort((a, b) => a - b);
}

export async function listSysDirQuiet(d: Drive, path: string): Promise<string[]> {
  try {
    return await d.listSysDir(path);
  } catch (e) {
    if (e instanceof DriveError && (e.kind === "FileNotFound" || e.kind === "VolumeNotFound")) return [];
    throw e;
  }
}
