/** POST policy: the AWS documentation example, round trips, and each condition failing. */
import { describe, expect, test } from "bun:test";
import { AuthError, signPostPolicy, verifyPostPolicy } from "./index";
import { signatureHex, signingKey } from "./sigv4";
import { hmacSha1Base64 } from "./crypto";
import { AKID, CREDS, lookup } from "./test/helpers";

// From the S3 docs' "Example: Browser-Based Upload using HTTP POST (Using AWS Signature Version 4)".
const DOC_POLICY =
  "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";

function docForm(overrides: Record<string, string> = {}): [string, string][] {
  return Object.entries({
    key: "user/user1/${filename}",
    acl: "public-read",
    success_action_redirect: "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html",
    "Content-Type": "image/jpeg",
    "x-amz-meta-uuid": "14365123651274",
    "x-amz-server-side-encryption": "AES256",
    "X-Amz-Credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request",
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Date": "20151229T000000Z",
    "x-amz-meta-tag": "",
    Policy: DOC_POLICY,
    "X-Amz-Signature": "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e",
    ...overrides,
  });
}

const DOC_NOW = { now: new Date("2015-12-29T10:00:00Z") };

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  return e instanceof AuthError ? e.code : `not an AuthError: ${String(e)}`;
}

describe("AWS documentation example", () => {
  test("verifies", async () => {
    const v = await verifyPostPolicy(docForm(), "sigv4examplebucket", lookup, DOC_NOW);
    expect(v).toMatchObject({ accessKey: AKID, signature: "v4", contentLengthRange: null });
  });

  test("after the policy's expiration → AccessDenied", async () => {
    expect(await codeOf(verifyPostPolicy(docForm(), "sigv4examplebucket", lookup, { now: new Date("2015-12-30T12:00:01Z") }))).toBe("AccessDenied");
  });

  test("a key outside the starts-with prefix → AccessDenied", async () => {
    expect(await codeOf(verifyPostPolicy(docForm({ key: "user/user2/x" }), "sigv4examplebucket", lookup, DOC_NOW))).toBe("AccessDenied");
  });

  test("another bucket → AccessDenied", async () => {
    expect(await codeOf(verifyPostPolicy(docForm(), "otherbucket", lookup, DOC_NOW))).toBe("AccessDenied");
  });

  test("a field not named in the conditions → AccessDenied; x-ignore-* is allowed", async () => {
    expect(await codeOf(verifyPostPolicy(docForm({ "x-amz-meta-extra": "1" }), "sigv4examplebucket", lookup, DOC_NOW))).toBe("AccessDenied");
    expect((await verifyPostPolicy(docForm({ "x-ignore-me": "1" }), "sigv4examplebucket", lookup, DOC_NOW)).accessKey).toBe(AKID);
  });

  test("a tampered policy → SignatureDoesNotMatch", async () => {
    expect(await codeOf(verifyPostPolicy(docForm({ Policy: DOC_POLICY.replace("eyAi", "eyBi") }), "sigv4examplebucket", lookup, DOC_NOW))).toBe("SignatureDoesNotMatch");
  });
});

describe("signPostPolicy round trips", () => {
  const now = new Date("2026-05-01T00:00:00Z");
  const fields = (conditions: unknown[]) =>
    signPostPolicy({ bucket: "b", credentials: CREDS, region: "us-east-1", date: now, expiration: new Date("2026-05-01T01:00:00Z"), conditions });

  test("content-length-range is enforced through checkContentLength", async () => {
    const f = { ...fields([["starts-with", "$key", "up/"], ["content-length-range", 10, 100]]), key: "up/file" };
    const v = await verifyPostPolicy(Object.entries(f), "b", lookup, { now });
    expect(v.contentLengthRange).toEqual({ min: 10, max: 100 });
    expect(() => v.checkContentLength(50)).not.toThrow();
    expect(() => v.checkContentLength(9)).toThrow(AuthError);
    expect(() => v.checkContentLength(101)).toThrow(AuthError);
  });

  test("eq condition fails on a different value", async () => {
    const f = { ...fields([["eq", "$key", "exact"]]), key: "other" };
    expect(await codeOf(verifyPostPolicy(Object.entries(f), "b", lookup, { now }))).toBe("AccessDenied");
  });

  test("unknown access key → InvalidAccessKeyId; no policy and no signature → anonymous", async () => {
    const f = { ...fields([]), "x-amz-credential": "NOPE/20260501/us-east-1/s3/aws4_request" };
    expect(await codeOf(verifyPostPolicy(Object.entries(f), "b", lookup, { now }))).toBe("InvalidAccessKeyId");
    expect((await verifyPostPolicy([["key", "k"]], "b", lookup, { now })).signature).toBe("anonymous");
  });

  test("a policy that is not JSON → InvalidPolicyDocument", async () => {
    const f = fields([]);
    const junk = Buffer.from("not json").toString("base64");
    // Re-sign the junk policy so the signature holds and the parse is what fails.
    const sig = signatureHex(signingKey(CREDS.secretAccessKey, { date: "20260501", region: "us-east-1", service: "s3" }), junk);
    expect(await codeOf(verifyPostPolicy(Object.entries({ ...f, policy: junk, "x-amz-signature": sig }), "b", lookup, { now }))).toBe("InvalidPolicyDocument");
  });

  test("SigV2 form (AWSAccessKeyId + signature) verifies; a wrong signature does not", async () => {
    const policy = Buffer.from(JSON.stringify({ expiration: "2026-05-01T01:00:00Z", conditions: [{ bucket: "b" }, ["starts-with", "$key", ""]] })).toString("base64");
    const form = { key: "k", AWSAccessKeyId: AKID, policy, signature: hmacSha1Base64(CREDS.secretAccessKey, policy) };
    expect(await verifyPostPolicy(Object.entries(form), "b", lookup, { now })).toMatchObject({ accessKey: AKID, signature: "v2" });
    expect(await codeOf(verifyPostPolicy(Object.entries({ ...form, signature: hmacSha1Base64("wrong", policy) }), "b", lookup, { now }))).toBe("SignatureDoesNotMatch");
  });
});
