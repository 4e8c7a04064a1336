import { describe, expect, test } from "bun:test";
import { authorizationTarget, OPERATION_ACTIONS } from "./actions";
import { evaluate, type PolicyRequest } from "./evaluate";
import { parsePolicy, type Policy } from "./policy";

function policy(...statements: Record<string, unknown>[]): Policy {
  return parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }), { kind: "bucket", bucket: "photos" });
}

const anon = (action: string, resource: string, context = {}): PolicyRequest => ({ principal: "*", action, resource, context });
const getObj = (key: string, context = {}) => anon("s3:GetObject", `arn:aws:s3:::photos/${key}`, context);
const allowGet = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/public/*" };

describe("evaluate", () => {
  test("Allow when a statement matches, Default otherwise", () => {
    const p = policy(allowGet);
    expect(evaluate(p, getObj("public/cat.jpg"))).toBe("Allow");
    expect(evaluate(p, getObj("private/cat.jpg"))).toBe("Default");
    expect(evaluate(p, anon("s3:PutObject", "arn:aws:s3:::photos/public/cat.jpg"))).toBe("Default");
  });

  test("explicit Deny wins over Allow, in any order", () => {
    const deny = { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::photos/public/secret*" };
    expect(evaluate(policy(allowGet, deny), getObj("public/secret.txt"))).toBe("Deny");
    expect(evaluate(policy(deny, allowGet), getObj("public/secret.txt"))).toBe("Deny");
    expect(evaluate(policy(deny, allowGet), getObj("public/open.txt"))).toBe("Allow");
  });

  test("action wildcards are case-insensitive; resource wildcards * and ? are not", () => {
    const p = policy({ Effect: "Allow", Principal: "*", Action: "S3:get*", Resource: "arn:aws:s3:::photos/img-?.png" });
    expect(evaluate(p, getObj("img-1.png"))).toBe("Allow");
    expect(evaluate(p, anon("s3:GetObjectTagging", "arn:aws:s3:::photos/img-2.png"))).toBe("Allow");
    expect(evaluate(p, getObj("img-10.png"))).toBe("Default");
    expect(evaluate(p, getObj("IMG-1.png"))).toBe("Default");
  });

  test("named principals do not match anonymous requests; * matches everyone", () => {
    const p = policy({ ...allowGet, Principal: { AWS: ["arn:aws:iam::123456789012:user/alice"] } });
    expect(evaluate(p, getObj("public/a"))).toBe("Default");
    expect(evaluate(p, { ...getObj("public/a"), principal: ["AKIAALICE", "arn:aws:iam::123456789012:user/alice"] })).toBe("Allow");
    expect(evaluate(policy(allowGet), { ...getObj("public/a"), principal: "AKIABOB" })).toBe("Allow");
  });

  test("NotPrincipal, NotAction and NotResource invert their match", () => {
    const p = policy({ Effect: "Deny", NotPrincipal: { AWS: "admin" }, NotAction: "s3:GetObject", NotResource: "arn:aws:s3:::photos/scratch/*" }, { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::photos/*" });
    expect(evaluate(p, anon("s3:PutObject", "arn:aws:s3:::photos/keep/a"))).toBe("Deny");
    expect(evaluate(p, { ...anon("s3:PutObject", "arn:aws:s3:::photos/keep/a"), principal: "admin" })).toBe("Allow");
    expect(evaluate(p, anon("s3:PutObject", "arn:aws:s3:::photos/scratch/a"))).toBe("Allow");
    expect(evaluate(p, getObj("keep/a"))).toBe("Allow");
  });

  test("several policies evaluate together", () => {
    const deny = policy({ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/public/x" });
    expect(evaluate([policy(allowGet), deny], getObj("public/x"))).toBe("Deny");
    expect(evaluate([policy(allowGet), deny], getObj("public/y"))).toBe("Allow");
  });
});

describe("conditions", () => {
  const withCond = (Condition: Record<string, unknown>) => policy({ ...allowGet, Resource: "arn:aws:s3:::photos/*", Condition });

  test("IpAddress / NotIpAddress with IPv4, IPv6 and IPv4-mapped addresses", () => {
    const p = withCond({ IpAddress: { "aws:SourceIp": ["192.168.1.0/24", "2001:db8::/32"] } });
    expect(evaluate(p, getObj("a", { "aws:SourceIp": "192.168.1.77" }))).toBe("Allow");
    expect(evaluate(p, getObj("a", { "aws:SourceIp": "::ffff:192.168.1.77" }))).toBe("Allow");
    expect(evaluate(p, getObj("a", { "aws:SourceIp": "2001:db8:0:1::5" }))).toBe("Allow");
    expect(evaluate(p, getObj("a", { "aws:SourceIp": "192.168.2.1" }))).toBe("Default");
    expect(evaluate(p, getObj("a", { "aws:SourceIp": "2001:db9::1" }))).toBe("Default");
    expect(evaluate(p, getObj("a"))).toBe("Default");
    const not = withCond({ NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } });
    expect(evaluate(not, getObj("a", { "aws:SourceIp": "10.1.2.3" }))).toBe("Default");
    expect(evaluate(not, getObj("a", { "aws:SourceIp": "11.1.2.3" }))).toBe("Allow");
  });

  test("Bool aws:SecureTransport denies plain HTTP", () => {
    const p = policy({ ...allowGet, Resource: "arn:aws:s3:::photos/*" }, { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::photos/*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(evaluate(p, getObj("a", { "aws:SecureTransport": "false" }))).toBe("Deny");
    expect(evaluate(p, getObj("a", { "aws:SecureTransport": "true" }))).toBe("Allow");
  });

  test("StringEquals / StringNotEquals / StringLike / IgnoreCase; key names are case-insensitive", () => {
    const list = (Condition: Record<string, unknown>, prefix?: string) =>
      evaluate(policy({ Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: "arn:aws:s3:::photos", Condition }), anon("s3:ListBucket", "arn:aws:s3:::photos", prefix === undefined ? {} : { "s3:prefix": prefix }));
    expect(list({ StringEquals: { "S3:Prefix": ["home/", "public/"] } }, "public/")).toBe("Allow");
    expect(list({ StringEquals: { "s3:prefix": "public/" } }, "PUBLIC/")).toBe("Default");
    expect(list({ StringEqualsIgnoreCase: { "s3:prefix": "public/" } }, "PUBLIC/")).toBe("Allow");
    expect(list({ StringLike: { "s3:prefix": "home/*" } }, "home/alice/")).toBe("Allow");
    expect(list({ StringNotLike: { "s3:prefix": "home/*" } }, "home/alice/")).toBe("Default");
    expect(list({ StringNotEquals: { "s3:prefix": "secret/" } }, "public/")).toBe("Allow");
    // A negated operator on a missing key holds; a positive one does not.
    expect(list({ StringNotEquals: { "s3:prefix": "secret/" } })).toBe("Allow");
    expect(list({ StringEquals: { "s3:prefix": "public/" } })).toBe("Default");
    expect(list({ StringEqualsIfExists: { "s3:prefix": "public/" } })).toBe("Allow");
  });

  test("Numeric and Date comparisons", () => {
    const list = (Condition: Record<string, unknown>, context: Record<string, string>) =>
      evaluate(policy({ Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: "arn:aws:s3:::photos", Condition }), anon("s3:ListBucket", "arn:aws:s3:::photos", context));
    expect(list({ NumericLessThanEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "10" })).toBe("Allow");
    expect(list({ NumericLessThan: { "s3:max-keys": "10" } }, { "s3:max-keys": "10" })).toBe("Default");
    expect(list({ NumericGreaterThan: { "s3:max-keys": 5 } }, { "s3:max-keys": "abc" })).toBe("Default");
    expect(list({ DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } }, { "aws:CurrentTime": "2029-12-31T23:59:59Z" })).toBe("Allow");
    expect(list({ DateGreaterThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } }, { "aws:CurrentTime": "2029-12-31T23:59:59Z" })).toBe("Default");
    expect(list({ DateGreaterThanEquals: { "aws:EpochTime": "1000" } }, { "aws:EpochTime": "1000" })).toBe("Allow");
  });

  test("ForAnyValue / ForAllValues over multi-valued keys; Null checks presence", () => {
    const put = (Condition: Record<string, unknown>, context: Record<string, string | string[]>) =>
      evaluate(policy({ Effect: "Allow", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::photos/*", Condition }), anon("s3:PutObject", "arn:aws:s3:::photos/a", context));
    const keys = (k: string[]) => ({ "s3:RequestObjectTagKeys": k });
    expect(put({ "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["team", "env"] } }, keys(["env"]))).toBe("Allow");
    expect(put({ "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["team", "env"] } }, keys(["env", "cost"]))).toBe("Default");
    expect(put({ "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["team"] } }, {})).toBe("Allow");
    expect(put({ "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["team"] } }, keys(["env", "team"]))).toBe("Allow");
    expect(put({ "ForAnyValue:StringEquals": { "s3:RequestObjectTagKeys": ["team"] } }, {})).toBe("Default");
    expect(put({ Null: { "s3:x-amz-acl": "true" } }, {})).toBe("Allow");
    expect(put({ Null: { "s3:x-amz-acl": "true" } }, { "s3:x-amz-acl": "private" })).toBe("Default");
  });

  test("ExistingObjectTag keys keep the tag key's case; all clauses must hold", () => {
    const p = withCond({ StringEquals: { "s3:ExistingObjectTag/Class": "public", "aws:UserAgent": "curl/8" } });
    expect(evaluate(p, getObj("a", { "s3:ExistingObjectTag/Class": "public", "aws:UserAgent": "curl/8" }))).toBe("Allow");
    expect(evaluate(p, getObj("a", { "s3:existingobjecttag/class": "public", "aws:UserAgent": "curl/8" }))).toBe("Default");
    expect(evaluate(p, getObj("a", { "s3:ExistingObjectTag/Class": "public" }))).toBe("Default");
  });
});

describe("operation table", () => {
  test("maps S3 operations to actions and ARNs", () => {
    expect(authorizationTarget("ListObjectsV2", { bucket: "b" })).toEqual({ action: "s3:ListBucket", resource: "arn:aws:s3:::b" });
    expect(authorizationTarget("ListObjectVersions", { bucket: "b" })).toEqual({ action: "s3:ListBucketVersions", resource: "arn:aws:s3:::b" });
    expect(authorizationTarget("HeadObject", { bucket: "b", key: "k/1" })).toEqual({ action: "s3:GetObject", resource: "arn:aws:s3:::b/k/1" });
    expect(authorizationTarget("GetObject", { bucket: "b", key: "k", versionId: "v1" }).action).toBe("s3:GetObjectVersion");
    expect(authorizationTarget("UploadPart", { bucket: "b", key: "k" }).action).toBe("s3:PutObject");
    expect(authorizationTarget("CompleteMultipartUpload", { bucket: "b", key: "k" }).action).toBe("s3:PutObject");
    expect(authorizationTarget("AbortMultipartUpload", { bucket: "b", key: "k" }).action).toBe("s3:AbortMultipartUpload");
    expect(authorizationTarget("DeleteObjects", { bucket: "b", key: "k" }).action).toBe("s3:DeleteObject");
    expect(authorizationTarget("GetBucketLocation", { bucket: "b" }).action).toBe("s3:GetBucketLocation");
    expect(authorizationTarget("ListBuckets", {})).toEqual({ action: "s3:ListAllMyBuckets", resource: "*" });
  });

  test("every operation's actions are known and parse in a policy", () => {
    for (const entry of Object.values(OPERATION_ACTIONS)) {
      for (const action of [entry.action, "versioned" in entry ? entry.versioned : entry.action]) {
        expect(() => policy({ Effect: "Allow", Principal: "*", Action: action, Resource: "*" })).not.toThrow();
      }
    }
  });
});

describe("policy variables", () => {
  const doc = (version: string) => parsePolicy(JSON.stringify({ Version: version, Statement: { Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:*", Resource: "arn:aws:s3:::photos/home/${aws:username}/*" } }), { kind: "bucket", bucket: "photos" });
  const req = (key: string, username?: string): PolicyRequest => ({ principal: "AKIAX", action: "s3:PutObject", resource: `arn:aws:s3:::photos/${key}`, context: username ? { "aws:username": username } : {} });

  test("${aws:username} resolves from the context in 2012-10-17 documents", () => {
    expect(evaluate(doc("2012-10-17"), req("home/alice/a.txt", "alice"))).toBe("Allow");
    expect(evaluate(doc("2012-10-17"), req("home/bob/a.txt", "alice"))).toBe("Default");
    expect(evaluate(doc("2012-10-17"), req("home/alice/a.txt"))).toBe("Default");
  });

  test("2008-10-17 documents take the text literally", () => {
    expect(evaluate(doc("2008-10-17"), req("home/alice/a.txt", "alice"))).toBe("Default");
    expect(evaluate(doc("2008-10-17"), req("home/${aws:username}/a.txt", "alice"))).toBe("Allow");
  });
});
