/**
 * Policy evaluation: a statement applies when principal, action, resource and every condition
 * match; any applying Deny wins, else any applying Allow, else "Default" (the caller then falls
 * back to ownership: the bucket owner / root may, everyone else may not).
 */
import { conditionsHold, normalizeConditionKey, type ConditionContext } from "./conditions";
import type { Policy, Principals, Statement } from "./policy";
import { wildcardMatch, wildcardMatchFold } from "./wildcard";

export type Decision = "Allow" | "Deny" | "Default";

/** Matches any signed-in principal but not the anonymous one; only canned ACLs produce it. */
export const AUTHENTICATED_PRINCIPAL = "cairn:authenticated";

export interface PolicyRequest {
  /** `"*"` for an anonymous request; otherwise the caller's identifiers (user ARN, access key, …). */
  principal: "*" | string | readonly string[];
  /** e.g. `s3:GetObject`. */
  action: string;
  /** e.g. `arn:aws:s3:::bucket/key`. */
  resource: string;
  /** The condition keys' values; a function is called at most once, when a statement needs them. */
  context?: ConditionContext | (() => ConditionContext);
}

const builtContexts = new WeakMap<PolicyRequest, ConditionContext>();

/** `req`'s context, built on first need: most statements have neither conditions nor variables. */
function contextOf(req: PolicyRequest): ConditionContext {
  const c = req.context;
  if (typeof c !== "function") return c ?? {};
  let built = builtContexts.get(req);
  if (!built) builtContexts.set(req, (built = c()));
  return built;
}

function identities(principal: PolicyRequest["principal"]): readonly string[] {
  return typeof principal === "string" ? [principal] : principal;
}

function principalMatches(principals: Principals, who: readonly string[]): boolean {
  const anonymous = who.length === 0 || (who.length === 1 && who[0] === "*");
  const patterns = [...(principals.AWS ?? []), ...(principals.CanonicalUser ?? [])];
  return patterns.some((p) => {
    if (p === "*") return true;
    if (anonymous) return false;
    return p === AUTHENTICATED_PRINCIPAL || who.some((id) => wildcardMatch(p, id));
  });
}

/**
 * Resolve `${aws:username}`-style policy variables (2012-10-17 documents only) from the request
 * context, asked for only when the pattern has one; null when a variable is absent, which makes
 * the element match nothing.
 */
function substitute(pattern: string, contextFor: () => ConditionContext): string | null {
  if (!pattern.includes("${")) return pattern;
  const context = contextFor();
  let missing = false;
  const out = pattern.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    const v = context[normalizeConditionKey(key)] ?? context[key];
    if (typeof v !== "string") missing = true;
    return typeof v === "string" ? v : "";
  });
  return missing ? null : out;
}

function resourceMatches(patterns: readonly string[], req: PolicyRequest, variables: boolean): boolean {
  return patterns.some((r) => {
    const p = variables ? substitute(r, () => contextOf(req)) : r;
    return p !== null && wildcardMatch(p, req.resource);
  });
}

export function statementApplies(stmt: Statement, req: PolicyRequest, opts: { policyVariables?: boolean } = {}): boolean {
  const variables = opts.policyVariables ?? false;
  const who = identities(req.principal);
  if (stmt.principal && !principalMatches(stmt.principal, who)) return false;
  if (stmt.notPrincipal && principalMatches(stmt.notPrincipal, who)) return false;
  if (stmt.action && !stmt.action.some((a) => wildcardMatchFold(a, req.action))) return false;
  if (stmt.notAction && stmt.notAction.some((a) => wildcardMatchFold(a, req.action))) return false;
  if (stmt.resource && !resourceMatches(stmt.resource, req, variables)) return false;
  if (stmt.notResource && resourceMatches(stmt.notResource, req, variables)) return false;
  return stmt.condition.length === 0 || conditionsHold(stmt.condition, contextOf(req));
}

/** Evaluate one or more policies together (e.g. bucket policy + canned ACL grants). */
export function evaluate(policies: Policy | readonly Policy[], req: PolicyRequest): Decision {
  let allowed = false;
  for (const policy of Array.isArray(policies) ? policies : [policies as Policy]) {
    const variables = policy.version === "2012-10-17";
    for (const stmt of policy.statements) {
      if (!statementApplies(stmt, req, { policyVariables: variables })) continue;
      if (stmt.effect === "Deny") return "Deny";
      allowed = true;
    }
  }
  return allowed ? "Allow" : "Default";
}
