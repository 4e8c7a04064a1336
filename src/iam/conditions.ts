/**
 * The Condition block: parse (operator names, keys and values checked up front, so evaluation
 * never meets a malformed value) and evaluate against the request context. Semantics as IAM
 * documents them: values within one key are ORed, keys and operators are ANDed, a negated
 * operator on a missing key holds, `…IfExists` holds on a missing key, `ForAllValues` holds
 * vacuously and `ForAnyValue` fails on a missing key.
 */
import { cidrContains, parseCidr } from "./cidr";
import { PolicyError } from "./errors";
import { wildcardMatch } from "./wildcard";

type Family = "String" | "StringIgnoreCase" | "StringLike" | "Numeric" | "Date" | "Bool" | "Ip" | "Arn" | "Binary" | "Null";
type Compare = "eq" | "lt" | "le" | "gt" | "ge";
interface OperatorSpec { family: Family; compare: Compare; negated: boolean }

const spec = (family: Family, compare: Compare = "eq", negated = false): OperatorSpec => ({ family, compare, negated });

/** A Map: looked up by names from policy documents, where `constructor` must not be found. */
const OPERATORS = new Map<string, OperatorSpec>(Object.entries({
  StringEquals: spec("String"), StringNotEquals: spec("String", "eq", true),
  StringEqualsIgnoreCase: spec("StringIgnoreCase"), StringNotEqualsIgnoreCase: spec("StringIgnoreCase", "eq", true),
  StringLike: spec("StringLike"), StringNotLike: spec("StringLike", "eq", true),
  NumericEquals: spec("Numeric"), NumericNotEquals: spec("Numeric", "eq", true),
  NumericLessThan: spec("Numeric", "lt"), NumericLessThanEquals: spec("Numeric", "le"),
  NumericGreaterThan: spec("Numeric", "gt"), NumericGreaterThanEquals: spec("Numeric", "ge"),
  DateEquals: spec("Date"), DateNotEquals: spec("Date", "eq", true),
  DateLessThan: spec("Date", "lt"), DateLessThanEquals: spec("Date", "le"),
  DateGreaterThan: spec("Date", "gt"), DateGreaterThanEquals: spec("Date", "ge"),
  Bool: spec("Bool"), BinaryEquals: spec("Binary"),
  IpAddress: spec("Ip"), NotIpAddress: spec("Ip", "eq", true),
  ArnEquals: spec("Arn"), ArnLike: spec("Arn"), ArnNotEquals: spec("Arn", "eq", true), ArnNotLike: spec("Arn", "eq", true),
  Null: spec("Null"),
}));

export type SetQualifier = "ForAnyValue" | "ForAllValues";

export interface ConditionClause {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  base: string;
  qualifier?: SetQualifier;
  ifExists: boolean;
  /** Normalized with `normalizeConditionKey`. */
  key: string;
  values: string[];
}

/** Request context: condition key → value(s); absent keys are simply not present. */
export type ConditionContext = Readonly<Record<string, string | readonly string[] | undefined>>;

const S3_KEYS = new Set([
  "s3:prefix", "s3:delimiter", "s3:max-keys", "s3:x-amz-acl", "s3:x-amz-copy-source",
  "s3:x-amz-grant-read", "s3:x-amz-grant-write", "s3:x-amz-grant-read-acp", "s3:x-amz-grant-write-acp",
  "s3:x-amz-grant-full-control", "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id",
  "s3:x-amz-metadata-directive", "s3:x-amz-storage-class", "s3:x-amz-content-sha256", "s3:versionid",
  "s3:locationconstraint", "s3:object-lock-mode", "s3:object-lock-retain-until-date",
  "s3:object-lock-remaining-retention-days", "s3:object-lock-legal-hold", "s3:signatureversion",
  "s3:authtype", "s3:signatureage", "s3:tlsversion", "s3:resourceaccount", "s3:requestobjecttagkeys",
  "s3:existingobjecttag/", "s3:requestobjecttag/", "s3:x-amz-tagging",
]);

/** Condition keys are case-insensitive except the tag key after `/` (tag keys are case-sensitive). */
export function normalizeConditionKey(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? key.toLowerCase() : key.slice(0, slash + 1).toLowerCase() + key.slice(slash + 1);
}

function checkKey(key: string): void {
  const slash = key.indexOf("/");
  const known = key.startsWith("aws:") ? /^aws:[a-z0-9-]+(\/.+)?$/.test(key) : S3_KEYS.has(slash < 0 ? key : key.slice(0, slash + 1));
  if (!known || (slash >= 0 && slash === key.length - 1)) throw new PolicyError("conditionKey");
}

/** Epoch milliseconds of an ISO 8601 date or epoch seconds; NaN when neither. */
function dateValue(s: string): number {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  return /^\d{4}-\d{2}-\d{2}/.test(s) ? Date.parse(s) : NaN;
}

function validValue(family: Family, v: string): boolean {
  switch (family) {
    case "Numeric": return v.trim() !== "" && Number.isFinite(Number(v));
    case "Date": return Number.isFinite(dateValue(v));
    case "Bool": case "Null": return v.toLowerCase() === "true" || v.toLowerCase() === "false";
    case "Ip": return parseCidr(v) !== null;
    default: return true;
  }
}

function parseOperator(name: string): { base: string; qualifier?: SetQualifier; ifExists: boolean; op: OperatorSpec } {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(name);
  const base = m?.[2] ?? "";
  const op = OPERATORS.get(base);
  if (!m || !op || (m[3] && base === "Null")) throw new PolicyError("conditionOperator", `Invalid Condition type : ${name}`);
  return { base, ...(m[1] ? { qualifier: m[1] as SetQualifier } : {}), ifExists: m[3] !== undefined, op };
}

function valueList(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new PolicyError("syntax");
  return list.map((v) => {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw new PolicyError("syntax");
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parse a statement's `Condition` object. Throws PolicyError. */
export function parseConditions(block: unknown): ConditionClause[] {
  if (!isRecord(block)) throw new PolicyError("syntax");
  const out: ConditionClause[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    const { op, ...parsed } = parseOperator(operator);
    if (!isRecord(keys)) throw new PolicyError("syntax");
    for (const [rawKey, rawValues] of Object.entries(keys)) {
      const key = normalizeConditionKey(rawKey);
      checkKey(key);
      const values = valueList(rawValues);
      if (!values.every((v) => validValue(op.family, v))) throw new PolicyError("conditionValue", `Invalid value for ${operator} condition: ${values.join(", ")}`);
      out.push({ operator, ...parsed, key, values });
    }
  }
  return out;
}

function compareNumbers(compare: Compare, a: number, b: number): boolean {
  switch (compare) {
    case "eq": return a === b;
    case "lt": return a < b;
    case "le": return a <= b;
    case "gt": return a > b;
    case "ge": return a >= b;
  }
}

/** The un-negated test of one request value against one policy value. */
function valueMatches(op: OperatorSpec, policyValue: string, requestValue: string): boolean {
  switch (op.family) {
    case "String": case "Binary": return policyValue === requestValue;
    case "StringIgnoreCase": return policyValue.toLowerCase() === requestValue.toLowerCase();
    case "StringLike": case "Arn": return wildcardMatch(policyValue, requestValue);
    case "Bool": return policyValue.toLowerCase() === requestValue.toLowerCase();
    case "Numeric": {
      const n = requestValue.trim() === "" ? NaN : Number(requestValue);
      return Number.isFinite(n) && compareNumbers(op.compare, n, Number(policyValue));
    }
    case "Date": {
      const d = dateValue(requestValue);
      return Number.isFinite(d) && compareNumbers(op.compare, d, dateValue(policyValue));
    }
    case "Ip": { const c = parseCidr(policyValue); return c !== null && cidrContains(c, requestValue); }
    case "Null": return false;
  }
}

function lookup(context: ConditionContext, key: string): readonly string[] {
  for (const [k, v] of Object.entries(context)) {
    if (v !== undefined && normalizeConditionKey(k) === key) return typeof v === "string" ? [v] : v;
  }
  return [];
}

/** Does one clause hold for this context? */
export function clauseHolds(clause: ConditionClause, context: ConditionContext): boolean {
  const op = OPERATORS.get(clause.base);
  if (!op) return false;
  const present = lookup(context, clause.key);
  if (op.family === "Null") return clause.values.some((v) => (v.toLowerCase() === "true") === (present.length === 0));
  if (present.length === 0) {
    if (clause.ifExists || clause.qualifier === "ForAllValues") return true;
    return clause.qualifier === undefined && op.negated;
  }
  const one = (rv: string) => clause.values.some((pv) => valueMatches(op, pv, rv)) !== op.negated;
  return clause.qualifier === "ForAllValues" ? present.every(one) : present.some(one);
}

export function conditionsHold(clauses: readonly ConditionClause[], context: ConditionContext): boolean {
  return clauses.every((c) => clauseHolds(c, context));
}
