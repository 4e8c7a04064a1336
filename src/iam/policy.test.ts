import { describe, expect, test } from "bun:test";
import { POLICY_MESSAGES, PolicyError } from "./errors";
import { parsePolicy, type PolicyKind } from "./policy";

const bucket: PolicyKind = { kind: "bucket", bucket: "photos" };

function doc(statement: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statement, ...extra });
}

const publicRead = { Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/*" };

function rejection(text: string, kind: PolicyKind = bucket): PolicyError {
  try {
    parsePolicy(text, kind);
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error("policy was accepted");
}

describe("parsePolicy accepts the AWS grammar", () => {
  test("statement as object or array, Principal * or {AWS: …}", () => {
    const a = parsePolicy(doc(publicRead), bucket);
    const b = parsePolicy(doc([{ ...publicRead, Principal: { AWS: ["arn:aws:iam::123456789012:user/alice", "*"] } }]), bucket);
    expect(a.statements[0]?.principal).toEqual({ AWS: ["*"] });
    expect(b.statements[0]?.principal).toEqual({ AWS: ["arn:aws:iam::123456789012:user/alice", "*"] });
    expect(a.statements[0]?.action).toEqual(["s3:GetObject"]);
    expect(a.version).toBe("2012-10-17");
  });

  test("old version, NotAction/NotResource/NotPrincipal, wildcards and conditions", () => {
    const p = parsePolicy(JSON.stringify({ Version: "2008-10-17", Statement: { Effect: "Deny", NotPrincipal: { AWS: "alice" }, NotAction: "s3:Get*", NotResource: "arn:aws:s3:::photos/pub?c/*", Condition: { "ForAnyValue:StringLikeIfExists": { "s3:prefix": ["a/*", "b/"] }, IpAddress: { "aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] } } } }), bucket);
    const s = p.statements[0]!;
    expect(s.notAction).toEqual(["s3:Get*"]);
    expect(s.condition.map((c) => [c.base, c.qualifier, c.ifExists, c.key])).toEqual([
      ["StringLike", "ForAnyValue", true, "s3:prefix"],
      ["IpAddress", undefined, false, "aws:sourceip"],
    ]);
  });

  test("bytes input and a resource that names the bucket itself", () => {
    const p = parsePolicy(new TextEncoder().encode(doc({ Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: "arn:aws:s3:::photos" })), bucket);
    expect(p.statements).toHaveLength(1);
  });
});

describe("parsePolicy rejects with AWS's MalformedPolicy messages", () => {
  const cases: [string, string, string][] = [
    ["not JSON", "nope", POLICY_MESSAGES.notJson],
    ["broken JSON", "{\"Version\":", POLICY_MESSAGES.notJson],
    ["bad version", doc(publicRead, { Version: "2020-01-01" }), POLICY_MESSAGES.version],
    ["no statement", JSON.stringify({ Version: "2012-10-17" }), POLICY_MESSAGES.missingStatement],
    ["no principal", doc({ ...publicRead, Principal: undefined }), POLICY_MESSAGES.missingPrincipal],
    ["bad principal type", doc({ ...publicRead, Principal: { Nobody: "*" } }), POLICY_MESSAGES.principal],
    ["empty principal", doc({ ...publicRead, Principal: { AWS: [] } }), POLICY_MESSAGES.principal],
    ["bad principal id", doc({ ...publicRead, Principal: { AWS: "has space" } }), POLICY_MESSAGES.principal],
    ["no action", doc({ ...publicRead, Action: undefined }), POLICY_MESSAGES.missingAction],
    ["unknown action", doc({ ...publicRead, Action: "s3:FlyAway" }), POLICY_MESSAGES.action],
    ["foreign service", doc({ ...publicRead, Action: "ec2:RunInstances" }), POLICY_MESSAGES.action],
    ["no resource", doc({ ...publicRead, Resource: undefined }), POLICY_MESSAGES.missingResource],
    ["resource in another bucket", doc({ ...publicRead, Resource: "arn:aws:s3:::other/*" }), POLICY_MESSAGES.resource],
    ["resource not an s3 arn", doc({ ...publicRead, Resource: "photos/*" }), POLICY_MESSAGES.resource],
    ["object action on bucket arn", doc({ ...publicRead, Resource: "arn:aws:s3:::photos" }), POLICY_MESSAGES.actionResource],
    ["bucket action on object arn", doc({ ...publicRead, Action: "s3:ListBucket" }), POLICY_MESSAGES.actionResource],
    ["unknown condition key", doc({ ...publicRead, Condition: { StringEquals: { "s3:nonsense": "x" } } }), POLICY_MESSAGES.conditionKey],
    ["bad operator", doc({ ...publicRead, Condition: { StringRoughly: { "s3:prefix": "x" } } }), "Invalid Condition type : StringRoughly"],
    // Operators are looked up by name: members every plain object inherits are not operators.
    ["operator named constructor", doc({ ...publicRead, Condition: { constructor: { "s3:prefix": "x" } } }), "Invalid Condition type : constructor"],
    ["operator named toString", doc({ ...publicRead, Condition: { toString: { "s3:prefix": "x" } } }), "Invalid Condition type : toString"],
    ["operator named __proto__", doc({ ...publicRead, Condition: JSON.parse('{"__proto__": {"s3:prefix": "x"}}') }), "Invalid Condition type : __proto__"],
    ["bad CIDR", doc({ ...publicRead, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/33" } } }), "Invalid value for IpAddress condition: 10.0.0.0/33"],
    ["bad number", doc({ ...publicRead, Condition: { NumericLessThan: { "s3:max-keys": "ten" } } }), "Invalid value for NumericLessThan condition: ten"],
    ["bad date", doc({ ...publicRead, Condition: { DateLessThan: { "aws:CurrentTime": "tomorrow" } } }), "Invalid value for DateLessThan condition: tomorrow"],
    ["bad bool", doc({ ...publicRead, Condition: { Bool: { "aws:SecureTransport": "yes" } } }), "Invalid value for Bool condition: yes"],
    ["unknown field", doc({ ...publicRead, Effects: "Allow" }), "Unknown field Effects"],
    ["bad effect", doc({ ...publicRead, Effect: "Maybe" }), "Invalid effect: Maybe"],
    ["duplicate sid", doc([publicRead, publicRead]), POLICY_MESSAGES.duplicateSid],
    ["Action and NotAction", doc({ ...publicRead, NotAction: "s3:PutObject" }), POLICY_MESSAGES.syntax],
    ["too large", doc(publicRead, { Id: "x".repeat(21 * 1024) }), POLICY_MESSAGES.tooLarge],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => {
      const e = rejection(text);
      expect(e.code).toBe("MalformedPolicy");
      expect(e.message).toBe(message);
    });
  }

  test("principalExists lets the caller reject unknown users", () => {
    const kind: PolicyKind = { kind: "bucket", bucket: "photos", principalExists: (p) => p === "alice" };
    expect(parsePolicy(doc({ ...publicRead, Principal: { AWS: "alice" } }), kind).statements).toHaveLength(1);
    expect(rejection(doc({ ...publicRead, Principal: { AWS: "mallory" } }), kind).problem).toBe("principal");
  });

  test("identity policies must not name a principal", () => {
    const { Principal: _, ...rest } = publicRead;
    expect(parsePolicy(doc(rest), { kind: "identity" }).statements).toHaveLength(1);
    expect(rejection(doc(publicRead), { kind: "identity" }).problem).toBe("syntax");
  });
});
