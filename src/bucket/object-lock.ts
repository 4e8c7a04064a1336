/**
 * Object lock (WORM): the bucket's ObjectLockConfiguration, per-version Retention and LegalHold
 * documents, the lock a new version gets at PUT, and the checks that protect a locked version
 * from deletion and from having its retention weakened. Pure: the caller supplies `now` and
 * whether the request may bypass governance (header + s3:BypassGovernanceRetention permission).
 */
import { z } from "zod";
import { BucketConfigError } from "./errors";
import { element, integer, malformedXml, parseShape, text } from "./xml";

export type RetentionMode = "GOVERNANCE" | "COMPLIANCE";

export interface ObjectLockConfig {
  enabled: boolean;
  defaultRetention?: { mode: RetentionMode; days?: number; years?: number };
}

export interface Retention { mode: RetentionMode; retainUntil: Date }

/** A version's lock state, as kept in its system metadata. */
export interface VersionLockState { retention?: Retention; legalHold: boolean }

export interface LockCheckOptions { bypassGovernance: boolean; now: Date }

export type LockCheck = { ok: true } | { ok: false; error: BucketConfigError };

const mode = z.enum(["GOVERNANCE", "COMPLIANCE"]);
const lockConfigShape = element({
  ObjectLockEnabled: z.literal("Enabled").optional(),
  Rule: element({ DefaultRetention: element({ Mode: mode, Days: integer.optional(), Years: integer.optional() }) }).optional(),
});

const retentionPeriodError = () => new BucketConfigError("InvalidRetentionPeriod", "Default retention period must be a positive integer value for 'Days' or 'Years'.");

/** Validate the parsed `<ObjectLockConfiguration>` element. */
export function parseObjectLockConfiguration(root: unknown): ObjectLockConfig {
  const raw = parseShape(lockConfigShape, root);
  if (raw.ObjectLockEnabled === undefined) throw malformedXml();
  const dr = raw.Rule?.DefaultRetention;
  if (!dr) return { enabled: true };
  if ((dr.Days === undefined) === (dr.Years === undefined)) throw malformedXml();
  const n = dr.Days ?? dr.Years ?? 0;
  if (n <= 0) throw retentionPeriodError();
  if ((dr.Days ?? 0) > 36500 || (dr.Years ?? 0) > 100) throw new BucketConfigError("InvalidRetentionPeriod", "Default retention period is too large.");
  return { enabled: true, defaultRetention: { mode: dr.Mode, ...(dr.Days !== undefined ? { days: dr.Days } : { years: dr.Years as number }) } };
}

export function objectLockConfigurationXml(c: ObjectLockConfig): Record<string, unknown> {
  const dr = c.defaultRetention;
  return {
    ObjectLockEnabled: "Enabled",
    ...(dr ? { Rule: { DefaultRetention: { Mode: dr.mode, ...(dr.days !== undefined ? { Days: String(dr.days) } : { Years: String(dr.years) }) } } } : {}),
  };
}

function parseDate(s: string): Date {
  const d = new Date(s);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || Number.isNaN(d.getTime())) throw new BucketConfigError("InvalidArgument", "The retain until date is not a valid ISO 8601 date.");
  return d;
}

/**
 * Validate a parsed `<Retention>` element (PutObjectRetention). An empty element clears the
 * retention (allowed only where shortening is, see checkRetentionChange).
 */
export function parseRetention(root: unknown, now: Date): Retention | undefined {
  const raw = parseShape(element({ Mode: mode.optional(), RetainUntilDate: text.optional() }), root);
  if (raw.Mode === undefined && raw.RetainUntilDate === undefined) return undefined;
  if (raw.Mode === undefined || raw.RetainUntilDate === undefined) throw malformedXml();
  const retainUntil = parseDate(raw.RetainUntilDate);
  if (retainUntil.getTime() <= now.getTime()) throw new BucketConfigError("InvalidArgument", "The retain until date must be in the future!");
  return { mode: raw.Mode, retainUntil };
}

export function retentionXml(r: Retention): Record<string, string> {
  return { Mode: r.mode, RetainUntilDate: r.retainUntil.toISOString() };
}

/** Validate a parsed `<LegalHold>` element; true = ON. */
export function parseLegalHold(root: unknown): boolean {
  return parseShape(element({ Status: z.enum(["ON", "OFF"]) }), root).Status === "ON";
}

function addRetention(now: Date, dr: NonNullable<ObjectLockConfig["defaultRetention"]>): Date {
  const d = new Date(now.getTime());
  if (dr.days !== undefined) d.setUTCDate(d.getUTCDate() + dr.days);
  else d.setUTCFullYear(d.getUTCFullYear() + (dr.years ?? 0));
  return d;
}

export interface PutLockHeaders {
  /** x-amz-object-lock-mode */
  mode?: string;
  /** x-amz-object-lock-retain-until-date */
  retainUntilDate?: string;
  /** x-amz-object-lock-legal-hold */
  legalHold?: string;
}

const invalidArg = (m: string) => new BucketConfigError("InvalidArgument", m);

/**
 * The lock state of a version being written (PUT, POST, Copy, CompleteMultipartUpload): the
 * request's explicit headers, else the bucket's default retention counted from `now`.
 * `config` undefined: the bucket has no object lock, and lock headers are refused.
 */
export function lockForNewVersion(config: ObjectLockConfig | undefined, headers: PutLockHeaders, now: Date): VersionLockState {
  const explicit = headers.mode !== undefined || headers.retainUntilDate !== undefined || headers.legalHold !== undefined;
  if (!config?.enabled) {
    if (explicit) throw new BucketConfigError("InvalidRequest", "Bucket is missing Object Lock Configuration");
    return { legalHold: false };
  }
  if ((headers.mode === undefined) !== (headers.retainUntilDate === undefined)) {
    throw invalidArg("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
  }
  if (headers.legalHold !== undefined && headers.legalHold !== "ON" && headers.legalHold !== "OFF") throw invalidArg("Legal Hold must be either of 'ON' or 'OFF'");
  const legalHold = headers.legalHold === "ON";
  if (headers.mode !== undefined && headers.retainUntilDate !== undefined) {
    if (headers.mode !== "GOVERNANCE" && headers.mode !== "COMPLIANCE") throw invalidArg("Unknown wormMode directive.");
    const retainUntil = parseDate(headers.retainUntilDate);
    if (retainUntil.getTime() <= now.getTime()) throw invalidArg("The retain until date must be in the future!");
    return { retention: { mode: headers.mode, retainUntil }, legalHold };
  }
  const dr = config.defaultRetention;
  return dr ? { retention: { mode: dr.mode, retainUntil: addRetention(now, dr) }, legalHold } : { legalHold };
}

const LOCKED = "Access Denied because object protected by object lock.";
const denied = (): LockCheck => ({ ok: false, error: new BucketConfigError("AccessDenied", LOCKED) });

function retentionActive(r: Retention | undefined, now: Date): r is Retention {
  return r !== undefined && r.retainUntil.getTime() > now.getTime();
}

/** May this version be permanently deleted (DELETE with versionId, lifecycle, …)? */
export function canDelete(state: VersionLockState, opts: LockCheckOptions): LockCheck {
  if (state.legalHold) return denied();
  if (!retentionActive(state.retention, opts.now)) return { ok: true };
  if (state.retention.mode === "GOVERNANCE" && opts.bypassGovernance) return { ok: true };
  return denied();
}

/**
 * May this version's data be replaced in place? Only the null version of a bucket with
 * versioning suspended is ever overwritten; the rules are those of deletion.
 */
export function canOverwrite(state: VersionLockState, opts: LockCheckOptions): LockCheck {
  return canDelete(state, opts);
}

/**
 * PutObjectRetention: COMPLIANCE may only be extended (never shortened, removed or weakened to
 * GOVERNANCE); GOVERNANCE may be extended or made COMPLIANCE freely, but shortened, removed or
 * weakened only with bypass. Expired retention no longer protects anything.
 */
export function checkRetentionChange(current: Retention | undefined, next: Retention | undefined, opts: LockCheckOptions): LockCheck {
  if (!retentionActive(current, opts.now)) return { ok: true };
  const extends_ = next !== undefined && next.retainUntil.getTime() >= current.retainUntil.getTime();
  if (current.mode === "COMPLIANCE") return extends_ && next?.mode === "COMPLIANCE" ? { ok: true } : denied();
  return extends_ || opts.bypassGovernance ? { ok: true } : denied();
}

/** System-metadata entries for a version's lock state (null removes an entry). */
export const LOCK_META = { mode: "x-amz-object-lock-mode", until: "x-amz-object-lock-retain-until-date", hold: "x-amz-object-lock-legal-hold" } as const;

export function lockStateToMeta(state: VersionLockState): Record<string, string | null> {
  return {
    [LOCK_META.mode]: state.retention?.mode ?? null,
    [LOCK_META.until]: state.retention?.retainUntil.toISOString() ?? null,
    [LOCK_META.hold]: state.legalHold ? "ON" : null,
  };
}

export function lockStateFromMeta(system: Readonly<Record<string, string>> | undefined): VersionLockState {
  const m = system?.[LOCK_META.mode];
  const u = system?.[LOCK_META.until];
  const retention: Retention | undefined = (m === "GOVERNANCE" || m === "COMPLIANCE") && u !== undefined && !Number.isNaN(Date.parse(u)) ? { mode: m, retainUntil: new Date(u) } : undefined;
  return { ...(retention ? { retention } : {}), legalHold: system?.[LOCK_META.hold] === "ON" };
}
