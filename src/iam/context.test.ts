import { expect, test } from "bun:test";
import { requestContext } from "./context";
import { evaluate } from "./evaluate";
import { parsePolicy } from "./policy";

const policy = parsePolicy(JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Condition: { StringLike: { "s3:prefix": "pub/*" }, NumericLessThanEquals: { "s3:max-keys": "100" } } },
    { Effect: "Allow", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "s3:x-amz-acl": "public-read", "s3:RequestObjectTag/team": "web" }, "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": ["team"] } } },
    { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*", Condition: { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "s3:ExistingObjectTag/secret": "yes" } } },
  ],
}), { kind: "bucket", bucket: "b" });

const base = { secureTransport: true, now: new Date("2024-01-01T00:00:00Z"), sourceIp: "10.0.0.1" };

test("every condition key the S3 layer supplies reaches the evaluator under its policy name", () => {
  const list = (prefix: string, maxKeys: string) => evaluate(policy, { principal: "*", action: "s3:ListBucket", resource: "arn:aws:s3:::b", context: requestContext({ ...base, prefix, maxKeys }) });
  expect(list("pub/x", "100")).toBe("Allow");
  expect(list("priv/x", "100")).toBe("Default");
  expect(list("pub/x", "1000")).toBe("Default");
  const put = (acl: string, tags: Record<string, string>) => evaluate(policy, { principal: "*", action: "s3:PutObject", resource: "arn:aws:s3:::b/k", context: requestContext({ ...base, headers: { "x-amz-acl": acl }, requestObjectTags: tags }) });
  expect(put("public-read", { team: "web" })).toBe("Allow");
  expect(put("public-read", { team: "web", cost: "1" })).toBe("Default");
  expect(put("private", { team: "web" })).toBe("Default");
  const get = (secure: boolean) => evaluate(policy, { principal: "*", action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: requestContext({ ...base, secureTransport: secure, existingObjectTags: { secret: "yes" } }) });
  expect(get(false)).toBe("Deny");
  expect(get(true)).toBe("Default");
});

test("time keys", () => {
  const ctx = requestContext(base);
  expect(ctx["aws:currenttime"]).toBe("2024-01-01T00:00:00.000Z");
  expect(ctx["aws:epochtime"]).toBe("1704067200");
  expect(ctx["aws:securetransport"]).toBe("true");
});
