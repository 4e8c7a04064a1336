/**
 * Real S3 clients against a minimal in-memory server (Bun.serve) whose only logic is
 * verifyRequest: every request must authenticate and every uploaded body must verify and
 * arrive intact. Clients: awscli, s3cmd (SigV2 and SigV4), rclone, boto3, minio-js,
 * @aws-sdk/client-s3 over HTTP (a stream body, aws-chunked with a trailer), and presigned URLs
 * from awscli. A client that is not installed is skipped, with the reason.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Minio from "minio";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { AuthError, verifyRequest } from "./index";
import { AKID, SECRET, lookup } from "./test/helpers";

const objects = new Map<string, Uint8Array>();
const failures: string[] = [];
let server: ReturnType<typeof Bun.serve>;
let dir: string;
const payload = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 131 + 7) & 0xff);

function md5(data: Uint8Array): string {
  return new Bun.CryptoHasher("md5").update(data).digest("hex");
}

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  try {
    const v = await verifyRequest({ method: request.method, url, headers: request.headers }, request.body, lookup);
    const key = decodeURIComponent(url.pathname);
    if (request.method === "PUT") {
      const data = new Uint8Array(await new Response(v.body).arrayBuffer());
      objects.set(key, data);
      return new Response(null, { headers: { etag: `"${md5(data)}"` } });
    }
    const obj = objects.get(key);
    if (request.method === "GET" && url.pathname.split("/").filter(Boolean).length === 1) {
      // Bucket-level GET (location, listing): an empty answer is enough for these clients.
      return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`, { headers: { "content-type": "application/xml" } });
    }
    if (!obj) return new Response(null, { status: 404, headers: { "x-amz-error-code": "NoSuchKey" } });
    const headers = { etag: `"${md5(obj)}"`, "content-length": String(obj.length), "last-modified": new Date().toUTCString() };
    return new Response(request.method === "HEAD" ? null : obj, { headers });
  } catch (e) {
    const code = e instanceof AuthError ? e.code : "InternalError";
    failures.push(`${request.method} ${request.url}: ${code}: ${(e as Error).message}`);
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${(e as Error).message}</Message></Error>`;
    return new Response(body, { status: e instanceof AuthError ? e.status : 500, headers: { "content-type": "application/xml", "x-amz-error-code": code } });
  }
}

beforeAll(() => {
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: handle, maxRequestBodySize: 1 << 30 });
  dir = mkdtempSync(join(tmpdir(), "cairn-auth-clients-"));
  writeFileSync(join(dir, "payload.bin"), payload);
});

beforeEach(() => {
  failures.length = 0;
});

afterAll(() => {
  server.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

const endpoint = () => `http://127.0.0.1:${server.port}`;

async function run(cmd: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const baseEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...env };
  delete baseEnv.AWS_CA_BUNDLE;
  const p = Bun.spawn(cmd, { env: baseEnv, stdout: "pipe", stderr: "pipe", cwd: dir });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, out: out + err };
}

function expectStored(key: string): void {
  expect(failures).toEqual([]);
  const got = objects.get(key);
  expect(got?.length).toBe(payload.length);
  expect(md5(got!)).toBe(md5(payload));
}

const awsEnv = { AWS_ACCESS_KEY_ID: AKID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_DEFAULT_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" };
const has = (bin: string) => Bun.which(bin) !== null;

describe("real clients", () => {
  test.skipIf(!has("aws"))("awscli s3api put-object / get-object", async () => {
    const put = await run(["aws", "--endpoint-url", endpoint(), "s3api", "put-object", "--bucket", "testbucket", "--key", "aws/k ey+1", "--body", "payload.bin"], awsEnv);
    expect(put.code, put.out).toBe(0);
    expectStored("/testbucket/aws/k ey+1");
    const get = await run(["aws", "--endpoint-url", endpoint(), "s3api", "get-object", "--bucket", "testbucket", "--key", "aws/k ey+1", "out.bin"], awsEnv);
    expect(get.code).toBe(0);
    expect(md5(readFileSync(join(dir, "out.bin")))).toBe(md5(payload));
  }, 60_000);

  test.skipIf(!has("aws"))("awscli presign → fetch", async () => {
    objects.set("/testbucket/presigned obj", payload);
    const { out, code } = await run(["aws", "--endpoint-url", endpoint(), "s3", "presign", "s3://testbucket/presigned obj", "--expires-in", "300"], awsEnv);
    expect(code).toBe(0);
    const res = await fetch(out.trim());
    expect(res.status).toBe(200);
    expect(failures).toEqual([]);
  }, 60_000);

  test.skipIf(!has("s3cmd"))("s3cmd put with SigV2 and with SigV4", async () => {
    for (const [sig, key] of [["--signature-v2", "s3cmd/v2"], ["", "s3cmd/v4"]] as const) {
      const args = ["s3cmd", "--no-ssl", `--host=127.0.0.1:${server.port}`, "--host-bucket=127.0.0.1:" + server.port, `--access_key=${AKID}`, `--secret_key=${SECRET}`, "--region=us-east-1", "--no-mime-magic", "--no-preserve"];
      if (sig) args.push(sig);
      const r = await run([...args, "put", "payload.bin", `s3://testbucket/${key}`]);
      expect(r.code, r.out).toBe(0);
      expectStored(`/testbucket/${key}`);
    }
  }, 60_000);

  test.skipIf(!has("rclone"))("rclone copyto", async () => {
    const r = await run(["rclone", "copyto", "payload.bin", ":s3:testbucket/rclone/obj", "--s3-provider=Other", `--s3-endpoint=${endpoint()}`, `--s3-access-key-id=${AKID}`, `--s3-secret-access-key=${SECRET}`, "--s3-region=us-east-1", "--s3-no-check-bucket", "--retries=1", "--low-level-retries=1"], { RCLONE_CONFIG: "/dev/null" });
    expect(r.out).not.toContain("ERROR");
    expectStored("/testbucket/rclone/obj");
  }, 60_000);

  test.skipIf(!has("python3"))("boto3 put_object (default checksums) and upload_fileobj", async () => {
    const script = `
import boto3, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="${AKID}", aws_secret_access_key="${SECRET}", region_name="us-east-1")
data = open("payload.bin", "rb").read()
s3.put_object(Bucket="testbucket", Key="boto/put", Body=data)
with open("payload.bin", "rb") as f:
    s3.upload_fileobj(f, "testbucket", "boto/fileobj")
`;
    writeFileSync(join(dir, "boto.py"), script);
    const r = await run(["python3", "boto.py", endpoint()]);
    if (r.out.includes("No module named 'boto3'")) return;
    expect(r.code).toBe(0);
    expectStored("/testbucket/boto/put");
    expectStored("/testbucket/boto/fileobj");
  }, 60_000);

  test("minio-js putObject (Buffer and stream)", async () => {
    const client = new Minio.Client({ endPoint: "127.0.0.1", port: server.port, useSSL: false, accessKey: AKID, secretKey: SECRET, region: "us-east-1", pathStyle: true });
    await client.putObject("testbucket", "minio/buffer", Buffer.from(payload), payload.length);
    expectStored("/testbucket/minio/buffer");
    await client.putObject("testbucket", "minio/stream", Readable.from([Buffer.from(payload)]), payload.length);
    expectStored("/testbucket/minio/stream");
  }, 60_000);

  // Without ContentLength the SDK (3.11xx on Bun's node:http) fails client-side on an undefined
  // x-amz-decoded-content-length header, so the length is given; the body is still aws-chunked.
  test("@aws-sdk/client-s3 PutObject with a stream body over HTTP (aws-chunked, CRC32C trailer)", async () => {
    const client = new S3Client({ region: "us-east-1", endpoint: endpoint(), forcePathStyle: true, credentials: { accessKeyId: AKID, secretAccessKey: SECRET } });
    const body = Readable.from([Buffer.from(payload.subarray(0, 1_000_000)), Buffer.from(payload.subarray(1_000_000))]);
    await client.send(new PutObjectCommand({ Bucket: "testbucket", Key: "sdk/stream", Body: body, ContentLength: payload.length, ChecksumAlgorithm: "CRC32C" }));
    expectStored("/testbucket/sdk/stream");
    client.destroy();
  }, 60_000);
});
