/**
 * LifecycleConfiguration: the model and its validation, with AWS's error codes. Decisions over
 * objects and uploads live in lifecycle.ts. Transitions (storage tiers) are not supported and
 * are refused rather than silently ignored.
 */
import { z } from "zod";
import { BucketConfigError } from "./errors";
import { element, integer, list, malformedXml, parseShape, text } from "./xml";

export const MAX_LIFECYCLE_RULES = 1000;

export interface Tag { key: string; value: string }

export interface LifecycleFilter {
  prefix: string;
  tags: Tag[];
  sizeGreaterThan?: number;
  sizeLessThan?: number;
}

export interface LifecycleRule {
  id?: string;
  enabled: boolean;
  filter: LifecycleFilter;
  /** Legacy `<Prefix>` directly in the rule (kept so Get returns what was Put). */
  legacyPrefix: boolean;
  expiration?: { days?: number; date?: Date; expiredObjectDeleteMarker?: boolean };
  noncurrentExpiration?: { days: number; newerNoncurrentVersions?: number };
  abortIncompleteUploadDays?: number;
}

export interface LifecycleConfig { rules: LifecycleRule[] }

const tagShape = element({ Key: text, Value: text });
const size = integer.optional();
const filterShape = element({
  Prefix: text.optional(),
  Tag: tagShape.optional(),
  ObjectSizeGreaterThan: size,
  ObjectSizeLessThan: size,
  And: element({ Prefix: text.optional(), Tag: list(tagShape).optional(), ObjectSizeGreaterThan: size, ObjectSizeLessThan: size }).optional(),
});
const ruleShape = element({
  ID: text.optional(),
  Status: z.enum(["Enabled", "Disabled"]),
  Filter: filterShape.optional(),
  Prefix: text.optional(),
  Expiration: element({ Days: integer.optional(), Date: text.optional(), ExpiredObjectDeleteMarker: z.enum(["true", "false"]).optional() }).optional(),
  NoncurrentVersionExpiration: element({ NoncurrentDays: integer.optional(), NewerNoncurrentVersions: integer.optional() }).optional(),
  AbortIncompleteMultipartUpload: element({ DaysAfterInitiation: integer.optional() }).optional(),
  Transition: z.unknown().optional(),
  NoncurrentVersionTransition: z.unknown().optional(),
});
const configShape = element({ Rule: list(ruleShape) });
type RawRule = z.output<typeof ruleShape>;

const invalidArg = (m: string) => new BucketConfigError("InvalidArgument", m);
const invalidReq = (m: string) => new BucketConfigError("InvalidRequest", m);

function parseFilter(raw: RawRule): LifecycleFilter {
  if (raw.Filter !== undefined && raw.Prefix !== undefined) throw malformedXml();
  if (raw.Filter === undefined) {
    if (raw.Prefix === undefined) throw malformedXml();
    return { prefix: raw.Prefix, tags: [] };
  }
  const f = raw.Filter;
  const predicates = [f.Prefix, f.Tag, f.ObjectSizeGreaterThan, f.ObjectSizeLessThan, f.And].filter((p) => p !== undefined);
  if (predicates.length > 1) throw malformedXml();
  const src = f.And ?? { ...f, Tag: f.Tag ? [f.Tag] : [] };
  const tags = (src.Tag ?? []).map((t) => ({ key: t.Key, value: t.Value }));
  if (new Set(tags.map((t) => t.key)).size !== tags.length) throw invalidReq("Duplicate Tag Keys are not allowed.");
  const out: LifecycleFilter = { prefix: src.Prefix ?? "", tags };
  for (const [name, v] of [["ObjectSizeGreaterThan", src.ObjectSizeGreaterThan], ["ObjectSizeLessThan", src.ObjectSizeLessThan]] as const) {
    if (v !== undefined && v < 0) throw invalidArg(`'${name}' should be a non-negative integer`);
  }
  if (src.ObjectSizeGreaterThan !== undefined) out.sizeGreaterThan = src.ObjectSizeGreaterThan;
  if (src.ObjectSizeLessThan !== undefined) out.sizeLessThan = src.ObjectSizeLessThan;
  if (out.sizeGreaterThan !== undefined && out.sizeLessThan !== undefined && out.sizeGreaterThan >= out.sizeLessThan) {
    throw invalidArg("ObjectSizeGreaterThan must be less than ObjectSizeLessThan");
  }
  return out;
}

function positive(v: number | undefined, message: string): number | undefined {
  if (v !== undefined && v <= 0) throw invalidArg(message);
  return v;
}

function parseExpiration(raw: NonNullable<RawRule["Expiration"]>, filter: LifecycleFilter): LifecycleRule["expiration"] {
  const given = [raw.Days, raw.Date, raw.ExpiredObjectDeleteMarker].filter((v) => v !== undefined);
  if (given.length !== 1) throw malformedXml();
  const days = positive(raw.Days, "'Days' for Expiration action must be a positive integer");
  if (days !== undefined) return { days };
  if (raw.Date !== undefined) {
    const date = new Date(raw.Date);
    if (!/^\d{4}-\d{2}-\d{2}/.test(raw.Date) || Number.isNaN(date.getTime())) throw malformedXml();
    if (date.getTime() % 86_400_000 !== 0) throw invalidArg("'Date' must be at midnight GMT");
    return { date };
  }
  if (filter.tags.length > 0) throw invalidArg("ExpiredObjectDeleteMarker cannot be specified with tags.");
  return { expiredObjectDeleteMarker: raw.ExpiredObjectDeleteMarker === "true" };
}

function parseRule(raw: RawRule): LifecycleRule {
  if (raw.Transition !== undefined || raw.NoncurrentVersionTransition !== undefined) throw new BucketConfigError("NotImplemented", "Lifecycle transitions are not implemented");
  if (raw.ID !== undefined && raw.ID.length > 255) throw invalidArg("ID length should not exceed allowed limit of 255");
  if (!raw.Expiration && !raw.NoncurrentVersionExpiration && !raw.AbortIncompleteMultipartUpload) throw invalidReq("At least one action needs to be specified in a rule");
  const filter = parseFilter(raw);
  const rule: LifecycleRule = { ...(raw.ID !== undefined ? { id: raw.ID } : {}), enabled: raw.Status === "Enabled", filter, legacyPrefix: raw.Filter === undefined };
  if (raw.Expiration) rule.expiration = parseExpiration(raw.Expiration, filter);
  const nc = raw.NoncurrentVersionExpiration;
  if (nc) {
    const days = positive(nc.NoncurrentDays, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
    if (days === undefined) throw malformedXml();
    const newer = nc.NewerNoncurrentVersions;
    if (newer !== undefined && (newer < 1 || newer > 100)) throw invalidArg("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to 100");
    rule.noncurrentExpiration = { days, ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}) };
  }
  const abort = raw.AbortIncompleteMultipartUpload;
  if (abort) {
    const days = positive(abort.DaysAfterInitiation, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
    if (days === undefined) throw malformedXml();
    if (filter.tags.length > 0) throw invalidArg("AbortIncompleteMultipartUpload cannot be specified with Tags.");
    rule.abortIncompleteUploadDays = days;
  }
  return rule;
}

/** Validate the parsed `<LifecycleConfiguration>` element. Throws BucketConfigError. */
export function parseLifecycleConfiguration(root: unknown): LifecycleConfig {
  const raw = parseShape(configShape, root);
  if (raw.Rule.length === 0) throw malformedXml();
  if (raw.Rule.length > MAX_LIFECYCLE_RULES) throw invalidReq(`The number of lifecycle rules should not exceed allowed limit of ${MAX_LIFECYCLE_RULES} rules`);
  const rules = raw.Rule.map(parseRule);
  const ids = rules.flatMap((r) => (r.id !== undefined ? [r.id] : []));
  if (new Set(ids).size !== ids.length) throw invalidArg("Rule ID must be unique. Found same ID for more than one rule");
  return { rules };
}

function filterXml(f: LifecycleFilter): Record<string, unknown> {
  const sizes = {
    ...(f.sizeGreaterThan !== undefined ? { ObjectSizeGreaterThan: String(f.sizeGreaterThan) } : {}),
    ...(f.sizeLessThan !== undefined ? { ObjectSizeLessThan: String(f.sizeLessThan) } : {}),
  };
  const tags = f.tags.map((t) => ({ Key: t.key, Value: t.value }));
  const count = (f.prefix !== "" ? 1 : 0) + tags.length + Object.keys(sizes).length;
  if (count > 1) return { And: { ...(f.prefix !== "" ? { Prefix: f.prefix } : {}), ...(tags.length ? { Tag: tags } : {}), ...sizes } };
  if (tags.length === 1) return { Tag: tags[0] };
  return count === 0 ? { Prefix: "" } : f.prefix !== "" ? { Prefix: f.prefix } : sizes;
}

/** The plain object the XML builder turns back into `<LifecycleConfiguration>`. */
export function lifecycleConfigurationXml(config: LifecycleConfig): { Rule: Record<string, unknown>[] } {
  return {
    Rule: config.rules.map((r) => {
      const e = r.expiration;
      const nc = r.noncurrentExpiration;
      return {
        ...(r.id !== undefined ? { ID: r.id } : {}),
        ...(r.legacyPrefix ? { Prefix: r.filter.prefix } : { Filter: filterXml(r.filter) }),
        Status: r.enabled ? "Enabled" : "Disabled",
        ...(e ? { Expiration: e.days !== undefined ? { Days: String(e.days) } : e.date ? { Date: e.date.toISOString() } : { ExpiredObjectDeleteMarker: String(e.expiredObjectDeleteMarker) } } : {}),
        ...(nc ? { NoncurrentVersionExpiration: { NoncurrentDays: String(nc.days), ...(nc.newerNoncurrentVersions !== undefined ? { NewerNoncurrentVersions: String(nc.newerNoncurrentVersions) } : {}) } } : {}),
        ...(r.abortIncompleteUploadDays !== undefined ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: String(r.abortIncompleteUploadDays) } } : {}),
      };
    }),
  };
}
