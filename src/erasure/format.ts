/**
 * Drive identity and set layout (DESIGN.md §4): one format.json per drive. Blank drives are
 * formatted into their slot; drives of another deployment or a changed layout are refused with
 * a message naming the drive.
 */
import { DriveError, type Drive, type FormatInfo } from "../storage/index";
import { defaultParity } from "./storage-class";

export class FormatError extends Error {
  constructor(
    readonly drive: string | null,
    detail: string,
  ) {
    super(drive ? `drive ${drive}: ${detail}` : detail);
    this.name = "FormatError";
  }
}

/** Sets of 2–16 drives: the largest divisor of the drive count that is ≤ 16; 1 drive is a set of 1. */
export function setSizeFor(driveCount: number): number {
  if (driveCount < 1) throw new FormatError(null, "no drives given");
  if (driveCount === 1) return 1;
  for (let s = Math.min(16, driveCount); s >= 2; s--) if (driveCount % s === 0) return s;
  throw new FormatError(null, `${driveCount} drives cannot be split into sets of 2 to 16 drives`);
}

export interface Layout {
  deploymentId: string;
  /** Drives grouped by set, in set position order. */
  sets: Drive[][];
  parity: number;
  /** Drives that were blank (or unreadable) and took a free slot: candidates for healing. */
  fresh: Drive[];
}

type Read = { drive: Drive; format: FormatInfo | null; unreadable: boolean };

async function readAll(drives: Drive[]): Promise<Read[]> {
  return Promise.all(
    drives.map(async (drive) => {
      try {
        return { drive, format: await drive.readFormat(), unreadable: false };
      } catch (e) {
        // A damaged format.json is re-formatted into the free slot; an I/O failure is offline.
        const corrupt = e instanceof DriveError && e.kind === "FileCorrupt";
        return { drive, format: null, unreadable: !corrupt };
      }
    }),
  );
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

function layoutKey(f: FormatInfo): string {
  return `${f.deploymentId}|${JSON.stringify(f.sets)}`;
}

/** The format most drives carry; every other formatted drive must match it. */
function reference(reads: Read[], wantId: string | undefined): FormatInfo {
  const counts = new Map<string, { f: FormatInfo; n: number }>();
  for (const r of reads) {
    if (!r.format) continue;
    const k = layoutKey(r.format);
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { f: r.format, n: 1 });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0]!.f;
  for (const r of reads) {
    if (!r.format) continue;
    if (r.format.deploymentId !== best.deploymentId) {
      throw new FormatError(r.drive.endpoint, `belongs to deployment ${r.format.deploymentId}, not ${best.deploymentId}`);
    }
    if (layoutKey(r.format) !== layoutKey(best)) {
      throw new FormatError(r.drive.endpoint, "has a different set layout than the other drives");
    }
  }
  if (wantId !== undefined && wantId !== best.deploymentId) {
    throw new FormatError(reads.find((r) => r.format)!.drive.endpoint, `belongs to deployment ${best.deploymentId}, not ${wantId}`);
  }
  return best;
}

async function formatFresh(reads: Read[], opts: { parity?: number; deploymentId?: string }): Promise<Layout> {
  const size = setSizeFor(reads.length);
  const deploymentId = opts.deploymentId ?? crypto.randomUUID();
  const ids = reads.map(() => crypto.randomUUID());
  const sets = chunk(ids, size);
  const parity = opts.parity ?? defaultParity(size);
  await Promise.all(
    reads.map(async (r, i) => {
      if (r.unreadable) return;
      await r.drive.writeFormat({ version: 1, deploymentId, driveId: ids[i]!, sets, parity });
    }),
  );
  const drives = reads.map((r) => r.drive);
  return { deploymentId, sets: chunk(drives, size), parity, fresh: [] };
}

/** Reads, validates and completes the formats of `drives` (command-line order). */
export async function loadLayout(drives: Drive[], opts: { parity?: number; deploymentId?: string }): Promise<Layout> {
  const reads = await readAll(drives);
  if (reads.every((r) => !r.format)) {
    if (reads.every((r) => r.unreadable)) throw new FormatError(null, "no drive is readable");
    return formatFresh(reads, opts);
  }
  const ref = reference(reads, opts.deploymentId);
  const ids = ref.sets.flat();
  if (ids.length !== drives.length) {
    throw new FormatError(null, `the drives were formatted as ${ids.length} drives, ${drives.length} given: layout changed`);
  }
  const slots: (Drive | null)[] = ids.map(() => null);
  for (const r of reads) {
    if (!r.format) continue;
    const at = ids.indexOf(r.format.driveId);
    if (at < 0 || slots[at]) throw new FormatError(r.drive.endpoint, `unknown or duplicate drive id ${r.format.driveId}`);
    slots[at] = r.drive;
  }
  const fresh: Drive[] = [];
  for (const r of reads) {
    if (r.format) continue;
    const at = slots.indexOf(null);
    slots[at] = r.drive;
    fresh.push(r.drive);
    if (r.unreadable) continue;
    await r.drive.writeFormat({ ...ref, driveId: ids[at]! }).catch(() => undefined);
  }
  const size = ref.sets[0]!.length;
  return { deploymentId: ref.deploymentId, sets: chunk(slots as Drive[], size), parity: opts.parity ?? ref.parity, fresh };
}
