/**
 * The lifecycle scanner: walks every bucket that has a lifecycle configuration through the
 * ObjectLayer's list APIs, asks the pure decisions (objectAction / uploadAction) what is due,
 * and applies them through the ObjectLayer (so object lock and quorum rules hold). It runs at
 * low priority: one page at a time, yielding to the event loop between keys, and the periodic
 * runner waits a full interval after each pass ends.
 */
import type { ObjectInfo, ObjectLayer, VersioningState } from "../object/index";
import { runPeriodically, type Periodic } from "../lib/index";
import { objectAction, uploadAction, type LifecycleConfig } from "./lifecycle";

export interface ScanTarget {
  lifecycle: LifecycleConfig;
  versioning: VersioningState;
}

export interface ScannerDeps {
  layer: ObjectLayer;
  /** The bucket's lifecycle configuration and versioning state; null when it has no lifecycle. */
  targetOf(bucket: string): Promise<ScanTarget | null>;
  now?: () => Date;
}

export interface ScanStats {
  expired: number;
  deletedVersions: number;
  deletedMarkers: number;
  abortedUploads: number;
  /** Actions the object layer refused (object lock, quorum); retried on the next pass. */
  failed: number;
}

const PAGE = 1000;
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The lifecycle config as stored (JSON), with its Date revived. */
export function encodeLifecycle(config: LifecycleConfig): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(config));
}

export function decodeLifecycle(blob: Uint8Array): LifecycleConfig {
  const raw = JSON.parse(new TextDecoder().decode(blob)) as LifecycleConfig;
  for (const r of raw.rules) if (r.expiration?.date !== undefined) r.expiration.date = new Date(r.expiration.date as unknown as string);
  return raw;
}

function tagsOf(info: ObjectInfo): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(info.metadata.system?.tagging ?? ""));
}

/** Decide and act on one key's versions (newest first). */
async function scanKey(deps: ScannerDeps, target: ScanTarget, versions: ObjectInfo[], stats: ScanStats): Promise<void> {
  const now = deps.now?.() ?? new Date();
  let noncurrent = 0;
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i] as ObjectInfo;
    const facts = {
      key: v.key, tags: tagsOf(v), size: v.size, modTime: v.modTime, isLatest: v.isLatest, deleteMarker: v.deleteMarker,
      versionCount: versions.length, now,
      ...(!v.isLatest && { successorModTime: versions[i - 1]?.modTime, noncurrentIndex: noncurrent++ }),
    };
    const d = objectAction(target.lifecycle, facts);
    if (d.action === "keep") continue;
    try {
      if (d.action === "expireCurrent") {
        await deps.layer.deleteObject(v.bucket, v.key, { versioning: target.versioning });
        stats.expired++;
      } else {
        await deps.layer.deleteObject(v.bucket, v.key, { versionId: v.versionId ?? "null", versioning: target.versioning });
        if (d.action === "deleteMarkerCleanup") stats.deletedMarkers++;
        else stats.deletedVersions++;
      }
    } catch {
      stats.failed++;
    }
  }
}

async function scanVersions(deps: ScannerDeps, bucket: string, target: ScanTarget, stats: ScanStats): Promise<void> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let group: ObjectInfo[] = [];
  for (;;) {
    const page = await deps.layer.listObjectVersions(bucket, { maxKeys: PAGE, keyMarker, versionIdMarker });
    for (const v of page.versions) {
      if (group.length > 0 && group[0]?.key !== v.key) {
        await scanKey(deps, target, group, stats);
        group = [];
        await yieldNow();
      }
      group.push(v);
    }
    if (!page.isTruncated) break;
    keyMarker = page.nextKeyMarker;
    versionIdMarker = page.nextVersionIdMarker;
  }
  if (group.length > 0) await scanKey(deps, target, group, stats);
}

async function scanUploads(deps: ScannerDeps, bucket: string, target: ScanTarget, stats: ScanStats): Promise<void> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await deps.layer.listMultipartUploads(bucket, { maxUploads: PAGE, keyMarker, uploadIdMarker });
    for (const u of page.uploads) {
      if (uploadAction(target.lifecycle, { key: u.key, initiated: u.initiated, now: deps.now?.() ?? new Date() }).action !== "abort") continue;
      await deps.layer.abortMultipartUpload(bucket, u.key, u.uploadId).then(
        () => void stats.abortedUploads++,
        () => void stats.failed++,
      );
    }
    if (!page.isTruncated) return;
    keyMarker = page.nextKeyMarker;
    uploadIdMarker = page.nextUploadIdMarker;
  }
}

/** One full pass over every bucket; the test hook and the periodic runner both call it. */
export async function scanLifecycleOnce(deps: ScannerDeps): Promise<ScanStats> {
  const stats: ScanStats = { expired: 0, deletedVersions: 0, deletedMarkers: 0, abortedUploads: 0, failed: 0 };
  for (const b of await deps.layer.listBuckets()) {
    const target = await deps.targetOf(b.name).catch(() => null);
    if (!target) continue;
    await scanVersions(deps, b.name, target, stats);
    await scanUploads(deps, b.name, target, stats);
  }
  return stats;
}

/** Runs a pass every `intervalMs` (measured from the end of the previous pass) until stopped. */
export function startLifecycleScanner(deps: ScannerDeps, opts: { intervalMs: number; onError?: (e: unknown) => void }): Periodic {
  return runPeriodically(() => scanLifecycleOnce(deps), opts);
}
