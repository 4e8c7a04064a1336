/**
 * AWS CLI v2 against the real server for the bucket features of issue 8: policy (and what an
 * anonymous caller then gets), CORS, object lock retention, lifecycle, tagging, versioning.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { awsCliEnv, bucketName, cleanupTemp, program, run, startServer, tempDir, type ServerHandle } from "./harness";

setDefaultTimeout(180_000);

const AWS = program("aws");
let server: ServerHandle;
let env: Record<string, string>;

beforeAll(async () => {
  if (!AWS) return;
  server = await startServer({ drives: 4 });
  env = awsCliEnv(tempDir("cairn-aws-home-"));
});
afterAll(async () => {
  await server?.stop();
  cleanupTemp();
});

async function aws(args: string[]): Promise<unknown> {
  const r = await run([AWS!, "--endpoint-url", server.url, "--output", "json", ...args], { env });
  return r.stdout.trim() === "" ? null : JSON.parse(r.stdout);
}

describe.skipIf(!AWS)("aws s3api: issue 8 bucket features", () => {
  test("bucket policy: put, status, anonymous read allowed exactly as granted", async () => {
    const b = bucketName("cli-policy");
    await aws(["s3api", "create-bucket", "--bucket", b]);
    const file = join(tempDir(), "f.txt");
    writeFileSync(file, "public words");
    await aws(["s3api", "put-object", "--bucket", b, "--key", "pub/f.txt", "--body", file]);
    await aws(["s3api", "put-object", "--bucket", b, "--key", "priv/f.txt", "--body", file]);
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${b}/pub/*` }] };
    await aws(["s3api", "put-bucket-policy", "--bucket", b, "--policy", JSON.stringify(policy)]);
    const status = (await aws(["s3api", "get-bucket-policy-status", "--bucket", b])) as { PolicyStatus: { IsPublic: boolean } };
    expect(status.PolicyStatus.IsPublic).toBe(true);
    const pub = await fetch(`${server.url}/${b}/pub/f.txt`);
    expect(await pub.text()).toBe("public words");
    expect((await fetch(`${server.url}/${b}/priv/f.txt`)).status).toBe(403);
  });

  test("object lock retention, versioning and tagging through the CLI", async () => {
    const b = bucketName("cli-lock");
    await aws(["s3api", "create-bucket", "--bucket", b, "--object-lock-enabled-for-bucket"]);
    const file = join(tempDir(), "l.txt");
    writeFileSync(file, "locked");
    const until = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const put = (await aws(["s3api", "put-object", "--bucket", b, "--key", "l", "--body", file, "--object-lock-mode", "COMPLIANCE", "--object-lock-retain-until-date", until, "--tagging", "a=1"])) as { VersionId: string };
    const ret = (await aws(["s3api", "get-object-retention", "--bucket", b, "--key", "l", "--version-id", put.VersionId])) as { Retention: { Mode: string } };
    expect(ret.Retention.Mode).toBe("COMPLIANCE");
    const del = await run([AWS!, "--endpoint-url", server.url, "s3api", "delete-object", "--bucket", b, "--key", "l", "--version-id", put.VersionId], { env, allowFailure: true });
    expect(del.code).not.toBe(0);
    expect(del.stderr).toContain("AccessDenied");
    const tags = (await aws(["s3api", "get-object-tagging", "--bucket", b, "--key", "l"])) as { TagSet: { Key: string; Value: string }[] };
    expect(tags.TagSet).toEqual([{ Key: "a", Value: "1" }]);
  });

  test("CORS and lifecycle configurations round-trip", async () => {
    const b = bucketName("cli-cfg");
    await aws(["s3api", "create-bucket", "--bucket", b]);
    await aws(["s3api", "put-bucket-cors", "--bucket", b, "--cors-configuration", JSON.stringify({ CORSRules: [{ AllowedOrigins: ["https://app.example"], AllowedMethods: ["GET"] }] })]);
    const cors = (await aws(["s3api", "get-bucket-cors", "--bucket", b])) as { CORSRules: { AllowedOrigins: string[] }[] };
    expect(cors.CORSRules[0]?.AllowedOrigins).toEqual(["https://app.example"]);
    const lc = { Rules: [{ ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 7 } }] };
    await aws(["s3api", "put-bucket-lifecycle-configuration", "--bucket", b, "--lifecycle-configuration", JSON.stringify(lc)]);
    const got = (await aws(["s3api", "get-bucket-lifecycle-configuration", "--bucket", b])) as { Rules: { ID: string; Expiration: { Days: number } }[] };
    expect(got.Rules[0]).toMatchObject({ ID: "tmp", Expiration: { Days: 7 } });
  });
});
