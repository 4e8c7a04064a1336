/** The erasure-coded ObjectLayer: public surface for the server (composition root). */
import type { ObjectLayer } from "../object/index";
import { FileRangeLocks, LocalDrive, relayGroupSyncs, serveSyncRelay, setTmpOwner, SyncRelayClient, type Drive, type TmpScope } from "../storage/index";
import { BufferPool, type BufferPoolOptions } from "./buffers";
import { loadLayout } from "./format";
import { Generations } from "./generations";
import { HealQueue } from "./heal-queue";
import { ErasureLayer } from "./layer";
import { NamespaceLocks } from "./locks";
import { MetaDecodeCache } from "./meta-cache";
import { watchMetaWrites } from "./meta-watch";
import { CodecCache, ErasureSet } from "./set";
import { defaultRrsParity, validateParity } from "./storage-class";

export { expandEllipsis, EllipsisError } from "./ellipsis";
export { storageClassParity, defaultParity, StorageClassError } from "./storage-class";
export { FormatError, setSizeFor } from "./format";
export { ErasureLayer } from "./layer";

export interface OpenErasureOptions {
  /** Drive directories, already expanded. */
  drives: string[];
  /** EC:N for STANDARD. */
  parity?: number;
  rrsParity?: number;
  deploymentId?: string;
  /** Drives to use instead of opening `drives` as LocalDrives (tests inject faulty drives). */
  driveImpls?: Drive[];
  /** Bounds of the PUT buffer pool (defaults in buffers.ts). */
  buffers?: BufferPoolOptions;
  /**
   * How long an xl.meta read stands in for the disk on GET/HEAD (meta-cache.ts); 0: never.
   * Default: CAIRN_META_FRESH_MS, else 1 s.
   */
  metaFreshMs?: number;
  /**
   * A file of change counters shared with other processes serving the same drives
   * (generations.ts); without it the counters are this process's own.
   */
  generationsFile?: string;
  /** The lock file of the processes serving the same drives (storage's FileRangeLocks). */
  lockFile?: string;
  /**
   * Empty the drives' scratch areas at open (default "all"): "own" empties this process's share
   * only (others may be staging in theirs), false nothing.
   */
  cleanupTmp?: TmpScope | false;
  /**
   * This process's share of the drives' scratch area (`tmp/<tmpOwner>`), for one of several
   * processes serving the drives: set before any drive opens (storage's setTmpOwner).
   */
  tmpOwner?: string;
  /**
   * One group commit for the processes serving the drives (storage's sync relay): the leader
   * serves it at `socket`, the others ask it.
   */
  syncRelay?: { socket: string; leader: boolean };
}

/**
 * Opens (formatting blank drives) the erasure layer. Throws FormatError for foreign or
 * re-laid-out drives and StorageClassError for impossible parity. Starts no background work
 * beyond recreating buckets on drives that came back blank.
 */
export async function openErasureLayer(opts: OpenErasureOptions): Promise<ErasureLayer & ObjectLayer> {
  const freshMs = opts.metaFreshMs ?? Number(process.env.CAIRN_META_FRESH_MS || NaN);
  const gens = opts.generationsFile ? Generations.shared(opts.generationsFile) : Generations.inMemory();
  const metaCache = new MetaDecodeCache(freshMs >= 0 ? { freshMs } : {}, undefined, gens);
  const relay = startSyncRelay(opts.syncRelay);
  if (opts.tmpOwner !== undefined) setTmpOwner(opts.tmpOwner);
  const opened = opts.driveImpls ?? (await Promise.all(opts.drives.map((p) => LocalDrive.open(p))));
  // Every use of a drive goes through its watch, so no write can leave a cached xl.meta fresh.
  const drives = opened.map((d) => watchMetaWrites(d, metaCache));
  const layout = await loadLayout(drives, {
    ...(opts.parity !== undefined ? { parity: opts.parity } : {}),
    ...(opts.deploymentId !== undefined ? { deploymentId: opts.deploymentId } : {}),
  });
  const setSize = layout.sets[0]!.length;
  const rrsParity = opts.rrsParity ?? defaultRrsParity(setSize, layout.parity);
  validateParity(setSize, layout.parity, rrsParity);
  const cleanup = opts.cleanupTmp ?? "all";
  if (cleanup !== false) await Promise.all(drives.map((d) => d.cleanupTmp(cleanup).catch(() => undefined)));
  const codecs = new CodecCache();
  const locks = new NamespaceLocks(opts.lockFile ? new FileRangeLocks(opts.lockFile) : undefined);
  const heal = new HealQueue();
  const pool = new BufferPool(opts.buffers);
  const sets = layout.sets.map(
    (ds, i) => new ErasureSet(i, ds, { parity: layout.parity, rrsParity, codecs, locks, heal, pool, metaCache }),
  );
  const layer = new ErasureLayer(layout.deploymentId, sets, { codecs, heal, gens, closing: relay });
  heal.setJob((bucket, key, deep) => layer.healObject(bucket, key, { deep }));
  if (layout.fresh.length > 0) await recreateBuckets(layer, layout.fresh);
  return layer;
}

/** Before the drives open: their group syncs are set up as the relay says. Returns its stop. */
function startSyncRelay(relay: OpenErasureOptions["syncRelay"]): () => void {
  if (!relay) return () => undefined;
  if (relay.leader) return serveSyncRelay(relay.socket).stop;
  const client = new SyncRelayClient(relay.socket);
  relayGroupSyncs(client);
  return () => {
    relayGroupSyncs(null);
    client.close();
  };
}

/** A blank drive gets the bucket volumes at once; objects come back by heal. */
async function recreateBuckets(layer: ErasureLayer, fresh: Drive[]): Promise<void> {
  const list = await layer.listBuckets().catch(() => []);
  for (const d of fresh) {
    for (const b of list) await d.makeVolume(b.name).catch(() => undefined);
  }
}
