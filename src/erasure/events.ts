/**
 * Counters of heal and quorum events, read by `ErasureLayer.stats()` for the metrics endpoint.
 * Process-wide on purpose: a quorum error is built deep in pure helpers that know no layer, and
 * a server process runs one layer, so the numbers are that layer's (tests compare deltas).
 */
import type { HealOutcome, LayerStats } from "../object/index";

const heal: Record<HealOutcome, number> = { healed: 0, failed: 0, clean: 0 };
const quorumFailures = { read: 0, write: 0 };

export function countQuorumFailure(op: "read" | "write"): void {
  quorumFailures[op]++;
}

export function countHeal(outcome: HealOutcome): void {
  heal[outcome]++;
}

/** A copy: the caller may keep it while the counters move on. */
export function eventCounts(): LayerStats {
  return { heal: { ...heal }, quorumFailures: { ...quorumFailures } };
}
