/** Version ids and mod times for new versions. */

/**
 * UUID v7: opaque to S3 clients like any version id, but time-ordered, so ids minted on one
 * node sort roughly by creation and index locality is better than with random v4 ids.
 */
export function newVersionId(): string {
  return Bun.randomUUIDv7();
}

let lastNanos = 0n;

/**
 * Wall-clock nanoseconds since the epoch, strictly increasing within this process: two
 * versions written back to back must never share a mod time or go backwards when the clock
 * steps back, because mod time orders versions. Resolution is the wall clock's (1 ms), bumped
 * by 1 ns on collisions.
 */
export function nowNanos(): bigint {
  const wall = BigInt(Date.now()) * 1_000_000n;
  lastNanos = wall > lastNanos ? wall : lastNanos + 1n;
  return lastNanos;
}
