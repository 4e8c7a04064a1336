/** Bucket policies, canned ACLs and anonymous access through the one authorization point. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectAclCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { errorCode, sdkErrorName, harnessForFile } from "./harness";

setDefaultTimeout(120_000);

const h = harnessForFile();


const anon = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  h.send(method, path, { anonymous: true, headers, ...(body !== undefined && { body }) });

function readPolicy(bucket: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${bucket}/public/*`], ...extra }],
  });
}

describe("bucket policy API", () => {
  test("put, get (as sent), status, delete", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "pol-api" }));
    expect(await sdkErrorName(h.client.send(new GetBucketPolicyCommand({ Bucket: "pol-api" })))).toBe("NoSuchBucketPolicy");
    const doc = readPolicy("pol-api");
    await h.client.send(new PutBucketPolicyCommand({ Bucket: "pol-api", Policy: doc }));
    expect((await h.client.send(new GetBucketPolicyCommand({ Bucket: "pol-api" }))).Policy).toBe(doc);
    const status = await h.client.send(new GetBucketPolicyStatusCommand({ Bucket: "pol-api" }));
    expect(status.PolicyStatus?.IsPublic).toBe(true);
    await h.client.send(new DeleteBucketPolicyCommand({ Bucket: "pol-api" }));
    expect(await sdkErrorName(h.client.send(new GetBucketPolicyCommand({ Bucket: "pol-api" })))).toBe("NoSuchBucketPolicy");
  });

  test("a policy pinned to a source IP range is not public", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "pol-ip" }));
    const doc = readPolicy("pol-ip", { Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } });
    await h.client.send(new PutBucketPolicyCommand({ Bucket: "pol-ip", Policy: doc }));
    expect((await h.client.send(new GetBucketPolicyStatusCommand({ Bucket: "pol-ip" }))).PolicyStatus?.IsPublic).toBe(false);
  });

  test("malformed documents are MalformedPolicy and store nothing", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "pol-bad" }));
    const bad = [
      "not json",
      JSON.stringify({ Version: "2012-10-17", Statement: [] }),
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::other-bucket/*" }] }),
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Maybe", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::pol-bad/*" }] }),
      "{" + " ".repeat(21 * 1024) + "}",
    ];
    for (const body of bad) {
      const res = await h.send("PUT", "/pol-bad?policy", { body });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe("MalformedPolicy");
    }
    expect(await sdkErrorName(h.client.send(new GetBucketPolicyCommand({ Bucket: "pol-bad" })))).toBe("NoSuchBucketPolicy");
  });
});

describe("anonymous requests", () => {
  test("are denied without a policy, allowed exactly as the policy says", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "pol-anon" }));
    await h.client.send(new PutObjectCommand({ Bucket: "pol-anon", Key: "public/a.txt", Body: "hello" }));
    await h.client.send(new PutObjectCommand({ Bucket: "pol-anon", Key: "private/b.txt", Body: "secret" }));
    const before = await anon("GET", "/pol-anon/public/a.txt");
    expect(before.status).toBe(403);
    expect(await errorCode(before)).toBe("AccessDenied");

    await h.client.send(new PutBucketPolicyCommand({ Bucket: "pol-anon", Policy: readPolicy("pol-anon") }));
    const ok = await anon("GET", "/pol-anon/public/a.txt");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("hello");
    expect((await anon("HEAD", "/pol-anon/public/a.txt")).status).toBe(200);
    // Not granted: another prefix, listing, writing, deleting.
    expect((await anon("GET", "/pol-anon/private/b.txt")).status).toBe(403);
    expect((await anon("GET", "/pol-anon?list-type=2")).status).toBe(403);
    expect((await anon("PUT", "/pol-anon/public/new.txt", {}, "x")).status).toBe(403);
    expect((await anon("DELETE", "/pol-anon/public/a.txt")).status).toBe(403);
    expect((await anon("GET", "/pol-anon?policy")).status).toBe(403);
    expect((await anon("GET", "/")).status).toBe(403);
  });

  test("an explicit Deny beats an Allow; conditions on prefix and transport are evaluated", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "pol-cond" }));
    await h.client.send(new PutObjectCommand({ Bucket: "pol-cond", Key: "docs/x", Body: "x" }));
    await h.client.send(new PutObjectCommand({ Bucket: "pol-cond", Key: "docs/secret", Body: "s" }));
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: ["*"] }, Action: "s3:Get*", Resource: "arn:aws:s3:::pol-cond/*" },
        { Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::pol-cond/docs/secret" },
        { Effect: "Allow", Principal: "*", Action: "s3:ListBucket", Resource: "arn:aws:s3:::pol-cond", Condition: { StringLike: { "s3:prefix": "docs/*" } } },
        { Effect: "Allow", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::pol-cond/*", Condition: { Bool: { "aws:SecureTransport": "true" } } },
      ],
    };
    await h.client.send(new PutBucketPolicyCommand({ Bucket: "pol-cond", Policy: JSON.stringify(policy) }));
    expect((await anon("GET", "/pol-cond/docs/x")).status).toBe(200);
    expect((await anon("GET", "/pol-cond/docs/secret")).status).toBe(403);
    expect((await anon("GET", "/pol-cond?list-type=2&prefix=docs/")).status).toBe(200);
    expect((await anon("GET", "/pol-cond?list-type=2&prefix=other/")).status).toBe(403);
    expect((await anon("GET", "/pol-cond?list-type=2")).status).toBe(403);
    // Plain HTTP is not secure transport.
    expect((await anon("PUT", "/pol-cond/docs/y", {}, "y")).status).toBe(403);
  });

  test("a SourceIp condition matches the caller's address", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "pol-srcip" }));
    await h.client.send(new PutObjectCommand({ Bucket: "pol-srcip", Key: "k", Body: "v" }));
    const put = (cidr: string) =>
      h.client.send(new PutBucketPolicyCommand({ Bucket: "pol-srcip", Policy: readPolicy("pol-srcip", { Resource: "arn:aws:s3:::pol-srcip/*", Condition: { IpAddress: { "aws:SourceIp": cidr } } }) }));
    await put("10.0.0.0/8");
    expect((await anon("GET", "/pol-srcip/k")).status).toBe(403);
    await put("127.0.0.0/8");
    expect((await anon("GET", "/pol-srcip/k")).status).toBe(200);
  });

  test("a policy that allowed a request stops allowing it the moment it is deleted or replaced", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "pol-swap" }));
    await h.client.send(new PutObjectCommand({ Bucket: "pol-swap", Key: "public/k", Body: "v" }));
    const allow = () => h.client.send(new PutBucketPolicyCommand({ Bucket: "pol-swap", Policy: readPolicy("pol-swap") }));
    await allow();
    for (let i = 0; i < 3; i++) expect((await anon("GET", "/pol-swap/public/k")).status).toBe(200);
    await h.client.send(new DeleteBucketPolicyCommand({ Bucket: "pol-swap" }));
    expect((await anon("GET", "/pol-swap/public/k")).status).toBe(403);
    await allow();
    expect((await anon("GET", "/pol-swap/public/k")).status).toBe(200);
    const deny = readPolicy("pol-swap", { Effect: "Deny" });
    await h.client.send(new PutBucketPolicyCommand({ Bucket: "pol-swap", Policy: deny }));
    expect((await anon("GET", "/pol-swap/public/k")).status).toBe(403);
  });

  test("a policy variable in a Resource is filled from the request (aws:SourceIp)", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "pol-var" }));
    for (const key of ["127.0.0.1/k", "10.1.2.3/k"]) await h.client.send(new PutObjectCommand({ Bucket: "pol-var", Key: key, Body: "v" }));
    await h.client.send(new PutBucketPolicyCommand({ Bucket: "pol-var", Policy: readPolicy("pol-var", { Resource: "arn:aws:s3:::pol-var/${aws:SourceIp}/*" }) }));
    expect((await anon("GET", "/pol-var/127.0.0.1/k")).status).toBe(200);
    expect((await anon("GET", "/pol-var/10.1.2.3/k")).status).toBe(403);
  });

  test("anonymous requests to a missing bucket are AccessDenied (existence is not revealed)", async () => {
    const res = await anon("GET", "/no-such-bucket-here/k");
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe("AccessDenied");
  });
});

describe("canned ACLs", () => {
  test("owner-only ACL answers FULL_CONTROL to the owner", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "acl-own" }));
    const acl = await h.client.send(new GetBucketAclCommand({ Bucket: "acl-own" }));
    expect(acl.Grants?.length).toBe(1);
    expect(acl.Grants?.[0]?.Permission).toBe("FULL_CONTROL");
    expect(acl.Grants?.[0]?.Grantee?.Type).toBe("CanonicalUser");
    expect(acl.Grants?.[0]?.Grantee?.ID).toBe(acl.Owner?.ID);
    // Putting back exactly what we read is accepted.
    await h.client.send(new PutBucketAclCommand({ Bucket: "acl-own", AccessControlPolicy: { Owner: acl.Owner, Grants: acl.Grants } }));
  });

  test("public-read bucket lets anyone list; public-read object lets anyone read it", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "acl-pub", ACL: "public-read" }));
    await h.client.send(new PutObjectCommand({ Bucket: "acl-pub", Key: "open", Body: "o", ACL: "public-read" }));
    await h.client.send(new PutObjectCommand({ Bucket: "acl-pub", Key: "closed", Body: "c" }));
    expect((await anon("GET", "/acl-pub?list-type=2")).status).toBe(200);
    expect((await anon("GET", "/acl-pub/open")).status).toBe(200);
    expect((await anon("GET", "/acl-pub/closed")).status).toBe(403);
    const grants = (await h.client.send(new GetObjectAclCommand({ Bucket: "acl-pub", Key: "open" }))).Grants ?? [];
    expect(grants.map((g) => [g.Grantee?.URI ?? g.Grantee?.Type, g.Permission])).toEqual([
      ["CanonicalUser", "FULL_CONTROL"],
      ["http://acs.amazonaws.com/groups/global/AllUsers", "READ"],
    ]);
    await h.client.send(new PutObjectAclCommand({ Bucket: "acl-pub", Key: "open", ACL: "private" }));
    expect((await anon("GET", "/acl-pub/open")).status).toBe(403);
    await h.client.send(new PutBucketAclCommand({ Bucket: "acl-pub", ACL: "private" }));
    expect((await anon("GET", "/acl-pub?list-type=2")).status).toBe(403);
  });

  test("an unknown canned ACL is InvalidArgument; grants to other principals are NotImplemented", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "acl-bad" }));
    const res = await h.send("PUT", "/acl-bad?acl", { headers: { "x-amz-acl": "world-writable" } });
    expect(await errorCode(res)).toBe("InvalidArgument");
    const grant = await h.send("PUT", "/acl-bad?acl", { headers: { "x-amz-grant-read": 'id="someone"' } });
    expect(grant.status).toBe(501);
    const body = `<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><ID>someone-else</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`;
    expect((await h.send("PUT", "/acl-bad?acl", { body })).status).toBe(501);
  });
});
