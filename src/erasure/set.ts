/**
 * One erasure set: its drives (by position), parity choices, codecs and the shared services
 * (namespace locks, heal queue) every object operation needs. Object operations are plain
 * functions over an ErasureSet so each concern lives in its own file.
 */
import { createCodec, type Codec } from "../ec/index";
import type { Drive } from "../storage/index";
import type { BufferPool } from "./buffers";
import type { NamespaceLocks } from "./locks";
import type { MetaDecodeCache } from "./meta-cache";
import { distributionFor } from "./placement";
import { REDUCED_REDUNDANCY, writeQuorum } from "./storage-class";

export const BLOCK_SIZE = 1 << 20;
export const INLINE_LIMIT = 128 * 1024;

/** Where background heals are requested; implemented by the heal queue. */
export interface HealSink {
  /** `deep`: a shard failed its bitrot check, so heal must verify every block, not just sizes. */
  enqueue(bucket: string, key: string, opts?: { deep?: boolean }): void;
}

/** Codecs are native objects: one per (k, m), shared, closed with the layer. */
export class CodecCache {
  private readonly codecs = new Map<string, Codec>();

  /** `algorithm` as recorded in xl.meta: parity from different backends is not interchangeable. */
  get(k: number, m: number, algorithm?: string): Codec {
    const id = `${k}+${m}/${algorithm ?? ""}`;
    let c = this.codecs.get(id);
    if (!c) {
      c = createCodec(k, m, algorithm === undefined ? {} : { algorithm });
      this.codecs.set(id, c);
    }
    return c;
  }

  closeAll(): void {
    for (const c of this.codecs.values()) c.close();
    this.codecs.clear();
  }
}

export interface Loc {
  bucket: string;
  key: string;
}

/** The erasure parameters of one new object. */
export interface ErasurePlan {
  k: number;
  m: number;
  codec: Codec;
  distribution: number[];
  writeQuorum: number;
  storageClass: string;
}

export class ErasureSet {
  constructor(
    readonly index: number,
    readonly drives: Drive[],
    readonly cfg: {
      parity: number;
      rrsParity: number;
      codecs: CodecCache;
      locks: NamespaceLocks;
      heal: HealSink;
      pool: BufferPool;
      metaCache: MetaDecodeCache;
    },
  ) {}

  get size(): number {
    return this.drives.length;
  }

  /** Read quorum for decisions not tied to one object's erasure info (delete markers, buckets). */
  get defaultReadQuorum(): number {
    return this.size - this.cfg.parity;
  }

  get defaultWriteQuorum(): number {
    return writeQuorum(this.size - this.cfg.parity, this.cfg.parity);
  }

  plan(key: string, storageClass: string | undefined): ErasurePlan {
    const rrs = storageClass === REDUCED_REDUNDANCY;
    const m = rrs ? this.cfg.rrsParity : this.cfg.parity;
    const k = this.size - m;
    return {
      k,
      m,
      codec: this.cfg.codecs.get(k, m),
      distribution: distributionFor(key, this.size),
      writeQuorum: writeQuorum(k, m),
      storageClass: rrs ? REDUCED_REDUNDANCY : "STANDARD",
    };
  }

  codecFor(e: { dataBlocks: number; parityBlocks: number; algorithm: string }): Codec {
    return this.cfg.codecs.get(e.dataBlocks, e.parityBlocks, e.algorithm);
  }

  lockName(loc: Loc): string {
    return `${loc.bucket}/${loc.key}`;
  }
}
