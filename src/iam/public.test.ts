import { describe, expect, test } from "bun:test";
import { evaluate } from "./evaluate";
import { parsePolicy } from "./policy";
import { cannedAclPolicy, isCannedAcl, isPolicyPublic } from "./public";

const parse = (statement: Record<string, unknown>) => parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statement }), { kind: "bucket", bucket: "b" });
const base = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };

describe("canned ACLs", () => {
  test("private grants nothing; public-read lets anyone read", () => {
    expect(cannedAclPolicy("private", { bucket: "b" }).statements).toEqual([]);
    const obj = cannedAclPolicy("public-read", { bucket: "b", key: "k" });
    expect(evaluate(obj, { principal: "*", action: "s3:GetObject", resource: "arn:aws:s3:::b/k" })).toBe("Allow");
    expect(evaluate(obj, { principal: "*", action: "s3:GetObject", resource: "arn:aws:s3:::b/other" })).toBe("Default");
    expect(evaluate(obj, { principal: "*", action: "s3:PutObject", resource: "arn:aws:s3:::b/k" })).toBe("Default");
    const bucket = cannedAclPolicy("public-read", { bucket: "b" });
    expect(evaluate(bucket, { principal: "*", action: "s3:ListBucket", resource: "arn:aws:s3:::b" })).toBe("Allow");
  });

  test("public-read-write on a bucket lets anyone write objects; authenticated-read excludes anonymous", () => {
    const rw = cannedAclPolicy("public-read-write", { bucket: "b" });
    expect(evaluate(rw, { principal: "*", action: "s3:PutObject", resource: "arn:aws:s3:::b/x" })).toBe("Allow");
    const auth = cannedAclPolicy("authenticated-read", { bucket: "b", key: "k" });
    expect(evaluate(auth, { principal: "*", action: "s3:GetObject", resource: "arn:aws:s3:::b/k" })).toBe("Default");
    expect(evaluate(auth, { principal: "AKIAX", action: "s3:GetObject", resource: "arn:aws:s3:::b/k" })).toBe("Allow");
  });

  test("isCannedAcl", () => {
    expect(isCannedAcl("public-read")).toBe(true);
    expect(isCannedAcl("public")).toBe(false);
  });
});

describe("isPolicyPublic (AWS's meaning of public)", () => {
  test("wildcard principal without pinning conditions is public", () => {
    expect(isPolicyPublic(parse(base))).toBe(true);
    expect(isPolicyPublic(parse({ ...base, Principal: { AWS: "arn:aws:iam::*:root" } }))).toBe(true);
    expect(isPolicyPublic(parse({ ...base, Condition: { StringLike: { "aws:UserAgent": "curl*" } } }))).toBe(true);
    expect(isPolicyPublic(cannedAclPolicy("public-read", { bucket: "b" }))).toBe(true);
    expect(isPolicyPublic(cannedAclPolicy("authenticated-read", { bucket: "b" }))).toBe(true);
  });

  test("fixed principals, fixed source IP ranges and Deny-only policies are not public", () => {
    expect(isPolicyPublic(parse({ ...base, Principal: { AWS: "arn:aws:iam::123456789012:user/alice" } }))).toBe(false);
    expect(isPolicyPublic(parse({ ...base, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }))).toBe(false);
    expect(isPolicyPublic(parse({ ...base, Condition: { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } } }))).toBe(true);
    expect(isPolicyPublic(parse({ ...base, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }))).toBe(false);
    expect(isPolicyPublic(parse({ ...base, Condition: { StringLike: { "aws:SourceArn": "arn:*" } } }))).toBe(true);
    expect(isPolicyPublic(parse({ ...base, Effect: "Deny" }))).toBe(false);
    expect(isPolicyPublic(cannedAclPolicy("private", { bucket: "b" }))).toBe(false);
  });
});
