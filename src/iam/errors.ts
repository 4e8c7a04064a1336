/**
 * Typed policy errors. The S3 layer maps every PolicyError to `MalformedPolicy` (400) and sends
 * `message` as is: the messages are AWS's own, which clients and tests compare against.
 */
export const POLICY_MESSAGES = {
  notJson: "Policies must be valid JSON and the first byte must be '{'",
  syntax: "Invalid policy syntax.",
  version: "The policy must contain a valid version string",
  missingStatement: "Missing required field Statement",
  missingEffect: "Missing required field Effect",
  missingPrincipal: "Missing required field Principal",
  missingAction: "Missing required field Action",
  missingResource: "Missing required field Resource",
  principal: "Invalid principal in policy",
  action: "Policy has invalid action",
  resource: "Policy has invalid resource",
  actionResource: "Action does not apply to any resource(s) in statement",
  conditionKey: "Policy has an invalid condition key",
  duplicateSid: "Statement IDs (SID) in a single policy must be unique",
  tooLarge: "Policies must not exceed 20 KB in length",
} as const;

export type PolicyProblem = keyof typeof POLICY_MESSAGES | "unknownField" | "conditionOperator" | "conditionValue";

export class PolicyError extends Error {
  override readonly name = "PolicyError";
  /** Always MalformedPolicy: the one S3 code for a rejected policy document. */
  readonly code = "MalformedPolicy" as const;
  constructor(
    readonly problem: PolicyProblem,
    message: string = problem in POLICY_MESSAGES ? POLICY_MESSAGES[problem as keyof typeof POLICY_MESSAGES] : problem,
  ) {
    super(message);
  }
}
