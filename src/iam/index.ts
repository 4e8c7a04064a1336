/** IAM: policy documents (parse, validate, evaluate), the S3 operation → action table, canned ACLs. */
export { PolicyError, POLICY_MESSAGES, type PolicyProblem } from "./errors";
export { parsePolicy, MAX_BUCKET_POLICY_BYTES, type Policy, type PolicyKind, type Statement, type Effect, type Principals } from "./policy";
export { evaluate, statementApplies, AUTHENTICATED_PRINCIPAL, type Decision, type PolicyRequest } from "./evaluate";
export { normalizeConditionKey, type ConditionClause, type ConditionContext } from "./conditions";
export { OPERATION_ACTIONS, S3_ACTIONS, authorizationTarget, bucketArn, objectArn, type S3Operation, type AuthorizationTarget, type ResourceKind } from "./actions";
export { cannedAclPolicy, isCannedAcl, isPolicyPublic, CANNED_ACLS, type CannedAcl } from "./public";
export { wildcardMatch } from "./wildcard";
export { parseCidr, cidrContains, parseIp, type Cidr } from "./cidr";
export { requestContext, type RequestFacts } from "./context";
