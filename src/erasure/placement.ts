/**
 * Where an object lives: which set (a stable hash of deployment id + key, so two deployments
 * spread the same keys differently) and, within the set, which drive holds which shard
 * (rotated by a hash of the key so data shards of different objects land on different drives).
 */

export function setIndexFor(key: string, deploymentId: string, setCount: number): number {
  if (setCount <= 1) return 0;
  return Number(Bun.hash.xxHash3(`${deploymentId}/${key}`) % BigInt(setCount));
}

/** distribution[i] = 1-based shard index held by the set's drive i. */
export function distributionFor(key: string, setSize: number): number[] {
  const start = Bun.hash.crc32(key) % setSize;
  const out: number[] = [];
  for (let i = 1; i <= setSize; i++) out.push(1 + ((start + i) % setSize));
  return out;
}
