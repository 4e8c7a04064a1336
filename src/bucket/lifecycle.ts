/**
 * Lifecycle decisions for the background scanner: what to do with one object version, or one
 * incomplete multipart upload, at time `now`. Pure: the scanner supplies what it knows about
 * the version (tags, size, times, position among the key's versions) and applies the answer.
 */
import type { LifecycleConfig, LifecycleFilter, LifecycleRule } from "./lifecycle-config";

export * from "./lifecycle-config";

const DAY_MS = 86_400_000;

/**
 * When an object of age-origin `from` becomes due after `days` days. AWS adds the days and
 * rounds up to the next midnight UTC (created Jan 15 10:30 + 3 days → due Jan 19 00:00).
 */
export function expiryTime(from: Date, days: number): Date {
  return new Date(Math.floor((from.getTime() + (days + 1) * DAY_MS) / DAY_MS) * DAY_MS);
}

export interface VersionFacts {
  key: string;
  tags?: Readonly<Record<string, string>>;
  size: number;
  modTime: Date;
  isLatest: boolean;
  deleteMarker: boolean;
  /** When this version stopped being current (its successor's mod time); noncurrent versions only. */
  successorModTime?: Date;
  /** 0 for the newest noncurrent version, 1 for the next, …; noncurrent versions only. */
  noncurrentIndex?: number;
  /** How many versions (incl. delete markers) the key has; a latest delete marker alone is "expired". */
  versionCount: number;
  now: Date;
}

/**
 * - `expireCurrent`: the latest version has expired. Unversioned bucket: delete it; versioned
 *   (enabled or suspended): add a delete marker, as a DELETE without versionId would.
 * - `deleteNoncurrent`: permanently delete this noncurrent version.
 * - `deleteMarkerCleanup`: permanently delete this delete marker (it is the key's only version).
 */
export type VersionDecision = { action: "keep" } | { action: "expireCurrent" | "deleteNoncurrent" | "deleteMarkerCleanup"; ruleId?: string; due: Date };

export function filterMatches(filter: LifecycleFilter, v: Pick<VersionFacts, "key" | "tags" | "size">): boolean {
  if (!v.key.startsWith(filter.prefix)) return false;
  if (!filter.tags.every((t) => v.tags?.[t.key] === t.value)) return false;
  if (filter.sizeGreaterThan !== undefined && !(v.size > filter.sizeGreaterThan)) return false;
  return filter.sizeLessThan === undefined || v.size < filter.sizeLessThan;
}

/** The due time this rule sets for this version, if the rule has an action for it. */
function dueFor(rule: LifecycleRule, v: VersionFacts): { action: Exclude<VersionDecision["action"], "keep">; due: Date } | null {
  const exp = rule.expiration;
  if (v.isLatest && v.deleteMarker) {
    if (v.versionCount !== 1 || !exp) return null;
    // Days-based expiration also removes expired delete markers once they are old enough.
    if (exp.expiredObjectDeleteMarker) return { action: "deleteMarkerCleanup", due: v.modTime };
    return exp.days !== undefined ? { action: "deleteMarkerCleanup", due: expiryTime(v.modTime, exp.days) } : null;
  }
  if (v.isLatest) {
    if (exp?.date) return { action: "expireCurrent", due: exp.date };
    return exp?.days !== undefined ? { action: "expireCurrent", due: expiryTime(v.modTime, exp.days) } : null;
  }
  const nc = rule.noncurrentExpiration;
  if (!nc) return null;
  if (nc.newerNoncurrentVersions !== undefined && (v.noncurrentIndex ?? 0) < nc.newerNoncurrentVersions) return null;
  return { action: "deleteNoncurrent", due: expiryTime(v.successorModTime ?? v.modTime, nc.days) };
}

/** What the scanner should do with this version now. */
export function objectAction(config: LifecycleConfig, v: VersionFacts): VersionDecision {
  for (const rule of config.rules) {
    if (!rule.enabled || !filterMatches(rule.filter, v)) continue;
    const d = dueFor(rule, v);
    if (d && d.due.getTime() <= v.now.getTime()) return { ...d, ...(rule.id !== undefined ? { ruleId: rule.id } : {}) };
  }
  return { action: "keep" };
}

export type UploadDecision = { action: "keep" } | { action: "abort"; ruleId?: string; due: Date };

/** Whether an incomplete multipart upload should be aborted now (prefix-only rules apply). */
export function uploadAction(config: LifecycleConfig, u: { key: string; initiated: Date; now: Date }): UploadDecision {
  for (const rule of config.rules) {
    const days = rule.abortIncompleteUploadDays;
    if (!rule.enabled || days === undefined || !u.key.startsWith(rule.filter.prefix)) continue;
    if (rule.filter.sizeGreaterThan !== undefined || rule.filter.sizeLessThan !== undefined) continue;
    const due = expiryTime(u.initiated, days);
    if (due.getTime() <= u.now.getTime()) return { action: "abort", due, ...(rule.id !== undefined ? { ruleId: rule.id } : {}) };
  }
  return { action: "keep" };
}

/**
 * The `x-amz-expiration` response header for the latest version (GET/HEAD/PUT): the earliest
 * expiration any enabled rule sets, or undefined.
 */
export function expirationHeader(config: LifecycleConfig, v: Pick<VersionFacts, "key" | "tags" | "size" | "modTime">): string | undefined {
  let best: { due: Date; id?: string } | undefined;
  for (const rule of config.rules) {
    const exp = rule.expiration;
    if (!rule.enabled || !exp || !filterMatches(rule.filter, v)) continue;
    const due = exp.date ?? (exp.days !== undefined ? expiryTime(v.modTime, exp.days) : undefined);
    if (due && (!best || due < best.due)) best = { due, ...(rule.id !== undefined ? { id: rule.id } : {}) };
  }
  return best && `expiry-date="${best.due.toUTCString()}", rule-id="${best.id ?? ""}"`;
}
