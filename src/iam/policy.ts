/**
 * The AWS access policy grammar (bucket policies now, identity policies later): parse a JSON
 * document into a checked `Policy`, or throw PolicyError with AWS's MalformedPolicy message.
 * Everything evaluation relies on (operators, CIDRs, dates, action names) is checked here.
 */
import { S3_ACTIONS, bucketArn, objectArn, type ResourceKind } from "./actions";
import { parseConditions, type ConditionClause } from "./conditions";
import { PolicyError } from "./errors";
import { wildcardMatch, wildcardMatchFold } from "./wildcard";

export type Effect = "Allow" | "Deny";

/** Principal type (`AWS`, `CanonicalUser`, `Service`, `Federated`) → identifiers; `"*"` is `{AWS: ["*"]}`. */
export type Principals = Readonly<Record<string, readonly string[]>>;

export interface Statement {
  sid?: string;
  effect: Effect;
  principal?: Principals;
  notPrincipal?: Principals;
  action?: readonly string[];
  notAction?: readonly string[];
  resource?: readonly string[];
  notResource?: readonly string[];
  condition: readonly ConditionClause[];
}

export interface Policy {
  version: "2012-10-17" | "2008-10-17";
  id?: string;
  statements: readonly Statement[];
}

export type PolicyKind =
  /** A bucket policy: Principal required, resources must lie in `bucket`. */
  | { kind: "bucket"; bucket: string; principalExists?: (principal: string) => boolean }
  /** A user/group policy: no Principal. */
  | { kind: "identity" };

export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

const STATEMENT_FIELDS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
const PRINCIPAL_TYPES = new Set(["AWS", "CanonicalUser", "Service", "Federated"]);
const PRINCIPAL_ID = /^(\*|\d{12}|arn:aws:(iam|sts)::[^:]*:.+|[A-Za-z0-9+=,.@_\-/:]{1,256})$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringList(raw: unknown, problem: "action" | "resource" | "principal"): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || !list.every((v): v is string => typeof v === "string" && v !== "")) throw new PolicyError(problem);
  return list;
}

function parsePrincipal(raw: unknown, kind: PolicyKind): Principals {
  if (raw === "*") return { AWS: ["*"] };
  if (!isRecord(raw) || Object.keys(raw).length === 0) throw new PolicyError("principal");
  const out: Record<string, string[]> = {};
  for (const [type, ids] of Object.entries(raw)) {
    if (!PRINCIPAL_TYPES.has(type)) throw new PolicyError("principal");
    const list = stringList(ids, "principal");
    if (type === "AWS" && !list.every((p) => PRINCIPAL_ID.test(p))) throw new PolicyError("principal");
    const exists = kind.kind === "bucket" ? kind.principalExists : undefined;
    if (type === "AWS" && exists && !list.every((p) => p === "*" || exists(p))) throw new PolicyError("principal");
    out[type] = list;
  }
  return out;
}

function parseActions(raw: unknown): string[] {
  const list = stringList(raw, "action");
  for (const a of list) {
    if (a === "*") continue;
    const known = [...S3_ACTIONS.keys()].some((name) => wildcardMatchFold(a, name));
    if (!a.toLowerCase().startsWith("s3:") || !known) throw new PolicyError("action");
  }
  return list;
}

function parseResources(raw: unknown, kind: PolicyKind): string[] {
  const list = stringList(raw, "resource");
  for (const r of list) {
    if (r === "*") continue;
    if (!r.startsWith("arn:aws:s3:::") || r.length === "arn:aws:s3:::".length) throw new PolicyError("resource");
    const bucketPart = r.slice("arn:aws:s3:::".length).split("/")[0] ?? "";
    if (kind.kind === "bucket" && !wildcardMatch(bucketPart, kind.bucket)) throw new PolicyError("resource");
  }
  return list;
}

/** The resource kinds a pattern can name; used to reject actions that apply to none of them. */
function resourceKinds(pattern: string, bucket: string): Set<ResourceKind> {
  if (pattern === "*") return new Set(["bucket", "object", "service"]);
  const kinds = new Set<ResourceKind>();
  if (wildcardMatch(pattern, bucketArn(bucket))) kinds.add("bucket");
  if (pattern.includes("/") || wildcardMatch(pattern, objectArn(bucket, "k"))) kinds.add("object");
  return kinds;
}

function checkActionsApply(actions: readonly string[], resources: readonly string[], bucket: string): void {
  const reachable = new Set(resources.flatMap((r) => [...resourceKinds(r, bucket)]));
  for (const a of actions) {
    const kinds = [...S3_ACTIONS].filter(([name]) => a === "*" || wildcardMatchFold(a, name)).map(([, k]) => k);
    if (!kinds.some((k) => reachable.has(k))) throw new PolicyError("actionResource");
  }
}

function one<T>(stmt: Record<string, unknown>, a: string, b: string, missing: "missingAction" | "missingResource" | "missingPrincipal", parse: (v: unknown) => T): [T | undefined, T | undefined] {
  const hasA = stmt[a] !== undefined;
  const hasB = stmt[b] !== undefined;
  if (hasA && hasB) throw new PolicyError("syntax");
  if (!hasA && !hasB) throw new PolicyError(missing);
  return [hasA ? parse(stmt[a]) : undefined, hasB ? parse(stmt[b]) : undefined];
}

function parseStatement(raw: unknown, kind: PolicyKind): Statement {
  if (!isRecord(raw)) throw new PolicyError("syntax");
  for (const field of Object.keys(raw)) if (!STATEMENT_FIELDS.has(field)) throw new PolicyError("unknownField", `Unknown field ${field}`);
  if (raw.Sid !== undefined && typeof raw.Sid !== "string") throw new PolicyError("syntax");
  if (raw.Effect === undefined) throw new PolicyError("missingEffect");
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") throw new PolicyError("syntax", `Invalid effect: ${String(raw.Effect)}`);
  let principal: Principals | undefined;
  let notPrincipal: Principals | undefined;
  if (kind.kind === "bucket") [principal, notPrincipal] = one(raw, "Principal", "NotPrincipal", "missingPrincipal", (v) => parsePrincipal(v, kind));
  else if (raw.Principal !== undefined || raw.NotPrincipal !== undefined) throw new PolicyError("syntax", "Policy document should not specify a principal.");
  const [action, notAction] = one(raw, "Action", "NotAction", "missingAction", parseActions);
  const [resource, notResource] = one(raw, "Resource", "NotResource", "missingResource", (v) => parseResources(v, kind));
  if (kind.kind === "bucket" && action && resource) checkActionsApply(action, resource, kind.bucket);
  const condition = raw.Condition === undefined ? [] : parseConditions(raw.Condition);
  return {
    ...(raw.Sid !== undefined ? { sid: raw.Sid as string } : {}),
    effect: raw.Effect,
    ...(principal ? { principal } : {}), ...(notPrincipal ? { notPrincipal } : {}),
    ...(action ? { action } : {}), ...(notAction ? { notAction } : {}),
    ...(resource ? { resource } : {}), ...(notResource ? { notResource } : {}),
    condition,
  };
}

function decode(text: string | Uint8Array): unknown {
  const s = typeof text === "string" ? text : new TextDecoder().decode(text);
  if (new TextEncoder().encode(s).length > MAX_BUCKET_POLICY_BYTES) throw new PolicyError("tooLarge");
  if (!s.trimStart().startsWith("{")) throw new PolicyError("notJson");
  try {
    return JSON.parse(s);
  } catch {
    throw new PolicyError("notJson");
  }
}

/** Parse and validate a policy document. Throws PolicyError (→ MalformedPolicy). */
export function parsePolicy(text: string | Uint8Array, kind: PolicyKind): Policy {
  const doc = decode(text);
  if (!isRecord(doc)) throw new PolicyError("notJson");
  for (const field of Object.keys(doc)) if (!["Version", "Id", "Statement"].includes(field)) throw new PolicyError("unknownField", `Unknown field ${field}`);
  const version = doc.Version ?? "2008-10-17";
  if (version !== "2012-10-17" && version !== "2008-10-17") throw new PolicyError("version");
  if (doc.Id !== undefined && typeof doc.Id !== "string") throw new PolicyError("syntax");
  const raw = doc.Statement;
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) throw new PolicyError("missingStatement");
  const statements = (Array.isArray(raw) ? raw : [raw]).map((s) => parseStatement(s, kind));
  const sids = statements.flatMap((s) => (s.sid ? [s.sid] : []));
  if (new Set(sids).size !== sids.length) throw new PolicyError("duplicateSid");
  return { version, ...(typeof doc.Id === "string" ? { id: doc.Id } : {}), statements };
}
