/** Browser POST uploads: the streaming form parser and PostObject end to end. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import * as Minio from "minio";
import { existsSync } from "node:fs";
import { signPostPolicy } from "../../src/auth/index";
import { S3Error } from "../../src/s3/index";
import { BucketConfigError, formBoundary, parsePostForm as readFormUpload } from "../../src/bucket/index";
import { CreateBucketCommand, DeleteObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutBucketPolicyCommand, PutObjectLockConfigurationCommand } from "@aws-sdk/client-s3";
import { ACCESS_KEY, REGION, SECRET_KEY, errorCode, sdkError, harnessForFile } from "./harness";

// Debian's python3 first: a pyenv shim earlier on PATH may lack boto3.
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : Bun.which("python3");
const haveBoto3 = PYTHON !== null && Bun.spawnSync([PYTHON, "-c", "import boto3"]).exitCode === 0;
if (!haveBoto3) console.warn("[post-object] boto3 cases skipped: needs python3 with boto3 (apt python3-boto3; scripts/setup.sh --test)");

// Erasure-coded writes of a few MiB take seconds on a loaded 2-core machine; nothing here is timed.
setDefaultTimeout(120_000);

const BOUNDARY = "----cairnFormBoundary7MA4YWxkTrZu0gW";

function formBody(fields: [string, string][], file: { name: string; type?: string; data: Uint8Array }, after: [string, string][] = []): Uint8Array {
  const parts: (string | Uint8Array)[] = [];
  const field = ([k, v]: [string, string]) => parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  fields.forEach(field);
  parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n`);
  parts.push(`${file.type ? `Content-Type: ${file.type}\r\n` : ""}\r\n`);
  parts.push(file.data, "\r\n");
  after.forEach(field);
  parts.push(`--${BOUNDARY}--\r\n`);
  return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
}

/** Streams `bytes` in pieces of `size` so every boundary can fall across a chunk edge. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

describe("readFormUpload", () => {
  const data = new Uint8Array(3000).map((_, i) => (i % 7 === 0 ? 13 : i % 11 === 0 ? 10 : 45));
  const body = formBody([["key", "uploads/${filename}"], ["x-amz-meta-a", "line1\r\nline2"]], { name: "f.bin", type: "image/png", data }, [["ignored", "x"]]);

  for (const size of [1, 2, 7, 64, 1000, 100_000]) {
    test(`fields and file survive ${size}-byte chunks`, async () => {
      const form = await readFormUpload(chunked(body, size), BOUNDARY);
      expect(form.fields).toEqual([
        ["key", "uploads/${filename}"],
        ["x-amz-meta-a", "line1\r\nline2"],
      ]);
      expect(form.fileName).toBe("f.bin");
      expect(form.fileContentType).toBe("image/png");
      expect(new Uint8Array(await new Response(form.file).arrayBuffer())).toEqual(data);
    });
  }

  test("a file containing something like the boundary is not cut", async () => {
    // Near misses only: a sender must pick a boundary whose CRLF-prefixed form is not in the data.
    const tricky = Buffer.from(`x\r\n--${BOUNDARY.slice(0, -1)}y--${BOUNDARY}\r\n-\r\n`);
    const form = await readFormUpload(chunked(formBody([], { name: "t", data: tricky }), 5), BOUNDARY);
    expect(Buffer.from(await new Response(form.file).arrayBuffer()).equals(tricky)).toBe(true);
  });

  test("no file part is InvalidArgument, a truncated body MalformedPOSTRequest, oversized fields MaxPostPreDataLengthExceededError (AWS's codes)", async () => {
    const noFile = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--${BOUNDARY}--\r\n`);
    const truncated = formBody([["key", "k"]], { name: "f", data: new Uint8Array(10) }).slice(0, 60);
    const huge = formBody([["key", "k".repeat(30_000)]], { name: "f", data: new Uint8Array(1) });
    const cases = [[noFile, "InvalidArgument"], [truncated, "MalformedPOSTRequest"], [huge, "MaxPostPreDataLengthExceededError"]] as const;
    for (const [bad, code] of cases) {
      const err = await readFormUpload(chunked(bad, 100), BOUNDARY).catch((e) => e);
      expect(err).toBeInstanceOf(BucketConfigError);
      expect((err as BucketConfigError).code).toBe(code);
    }
  });

  test("boundary from Content-Type, quoted or not", () => {
    expect(formBoundary(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(formBoundary('multipart/form-data; boundary="a b"')).toBe("a b");
    expect(formBoundary("application/x-www-form-urlencoded")).toBeUndefined();
  });
});

describe("PostObject", () => {
  const h = harnessForFile();
  const B = "post-bucket";
  beforeAll(async () => {
    await h.send("PUT", `/${B}`);
  });

  function signed(conditions: unknown[], opts: { expiration?: Date; bucket?: string } = {}): [string, string][] {
    const { expiration = new Date(Date.now() + 60_000), bucket = B } = opts;
    const f = signPostPolicy({ bucket, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: REGION, expiration, conditions });
    return Object.entries(f);
  }

  const post = (body: Uint8Array, bucket = B) =>
    fetch(new URL(`/${bucket}`, h.endpoint), { method: "POST", body, headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` } });

  test("a signed form stores the file under its key with metadata; 201 answers XML", async () => {
    const data = new TextEncoder().encode("hello from a browser");
    const fields: [string, string][] = [
      ["key", "uploads/${filename}"],
      ["Content-Type", "text/plain"],
      ["x-amz-meta-origin", "form"],
      ["success_action_status", "201"],
      ...signed([["starts-with", "$key", "uploads/"], { "content-type": "text/plain" }, { "x-amz-meta-origin": "form" }, { success_action_status: "201" }]),
    ];
    const res = await post(formBody(fields, { name: "hello.txt", data }));
    expect(res.status).toBe(201);
    expect(await res.text()).toContain("<Key>uploads/hello.txt</Key>");
    const got = await h.send("GET", `/${B}/uploads/hello.txt`);
    expect(await got.text()).toBe("hello from a browser");
    expect(got.headers.get("content-type")).toBe("text/plain");
    expect(got.headers.get("x-amz-meta-origin")).toBe("form");
  });

  test("default 204; success_action_redirect answers 303 with bucket, key and etag", async () => {
    const plain = await post(formBody([["key", "plain"], ...signed([["eq", "$key", "plain"]])], { name: "p", data: new Uint8Array(5) }));
    expect(plain.status).toBe(204);
    const fields: [string, string][] = [
      ["key", "redirected"],
      ["success_action_redirect", "https://example.com/done"],
      ...signed([{ key: "redirected" }, { success_action_redirect: "https://example.com/done" }]),
    ];
    const res = await fetch(new URL(`/${B}`, h.endpoint), {
      method: "POST",
      body: formBody(fields, { name: "r", data: new Uint8Array(3) }),
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const loc = new URL(res.headers.get("location")!);
    expect(loc.origin + loc.pathname).toBe("https://example.com/done");
    expect(loc.searchParams.get("key")).toBe("redirected");
    expect(loc.searchParams.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
  });

  test("policy violations: wrong key prefix, extra field, expired, bad signature", async () => {
    const data = { name: "x", data: new Uint8Array(4) };
    const wrongKey = await post(formBody([["key", "elsewhere/x"], ...signed([["starts-with", "$key", "uploads/"]])], data));
    expect(await errorCode(wrongKey)).toBe("AccessDenied");
    const extra = await post(formBody([["key", "uploads/x"], ["x-amz-meta-sneaky", "1"], ...signed([["starts-with", "$key", "uploads/"]])], data));
    expect(await errorCode(extra)).toBe("AccessDenied");
    const expired = await post(formBody([["key", "uploads/x"], ...signed([["starts-with", "$key", ""]], { expiration: new Date(Date.now() - 1000) })], data));
    expect(await errorCode(expired)).toBe("AccessDenied");
    const forged = signed([["starts-with", "$key", ""]]).map(([k, v]): [string, string] => [k, k === "x-amz-signature" ? "0".repeat(64) : v]);
    expect(await errorCode(await post(formBody([["key", "uploads/x"], ...forged], data)))).toBe("SignatureDoesNotMatch");
    expect((await h.send("HEAD", `/${B}/uploads/x`)).status).toBe(404);
  });

  test("content-length-range is enforced while streaming: nothing is stored when outside", async () => {
    const range = (key: string) => [["key", key], ...signed([{ key }, ["content-length-range", 10, 100]])] as [string, string][];
    const big = await post(formBody(range("too-big"), { name: "b", data: new Uint8Array(101) }));
    expect(await errorCode(big)).toBe("EntityTooLarge");
    const small = await post(formBody(range("too-small"), { name: "s", data: new Uint8Array(9) }));
    expect(await errorCode(small)).toBe("EntityTooSmall");
    expect((await h.send("HEAD", `/${B}/too-big`)).status).toBe(404);
    expect((await h.send("HEAD", `/${B}/too-small`)).status).toBe(404);
    const ok = await post(formBody(range("just-right"), { name: "j", data: new Uint8Array(50) }));
    expect(ok.status).toBe(204);
    expect((await h.send("HEAD", `/${B}/just-right`)).headers.get("content-length")).toBe("50");
  });

  test("an unsigned form is AccessDenied; a non-form POST is PreconditionFailed", async () => {
    const anon = await post(formBody([["key", "anon"]], { name: "a", data: new Uint8Array(1) }));
    expect(await errorCode(anon)).toBe("AccessDenied");
    const notForm = await h.send("POST", `/${B}`, { body: "key=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(await errorCode(notForm)).toBe("PreconditionFailed");
  });

  /** A form whose every field is also an eq condition of its policy, posted to `bucket`. */
  function postFields(fields: Record<string, string>, opts: { bucket?: string; data?: string } = {}): Promise<Response> {
    const conditions = Object.entries(fields).map(([k, v]) => ({ [k]: v }));
    const body = formBody([...Object.entries(fields), ...signed(conditions, { bucket: opts.bucket })], { name: "f", data: new TextEncoder().encode(opts.data ?? "data") });
    return post(body, opts.bucket);
  }

  test("regression: a lock-enabled bucket's default retention binds a POST upload; the form's lock fields too", async () => {
    const L = "post-locked";
    await h.client.send(new CreateBucketCommand({ Bucket: L, ObjectLockEnabledForBucket: true }));
    await h.client.send(new PutObjectLockConfigurationCommand({ Bucket: L, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 1 } } } }));
    const byDefault = await postFields({ key: "by-default" }, { bucket: L });
    expect(byDefault.status).toBe(204);
    const versionId = byDefault.headers.get("x-amz-version-id")!;
    expect((await h.client.send(new HeadObjectCommand({ Bucket: L, Key: "by-default" }))).ObjectLockMode).toBe("COMPLIANCE");
    expect((await sdkError(h.client.send(new DeleteObjectCommand({ Bucket: L, Key: "by-default", VersionId: versionId })))).name).toBe("AccessDenied");
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const explicit = await postFields({ key: "explicit", "x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": until }, { bucket: L });
    expect(explicit.status).toBe(204);
    const head = await h.client.send(new HeadObjectCommand({ Bucket: L, Key: "explicit" }));
    expect(head.ObjectLockMode).toBe("GOVERNANCE");
    expect(head.ObjectLockRetainUntilDate?.toISOString()).toBe(until);
  });

  test("regression: the acl field is applied as the canned ACL, alongside tagging", async () => {
    const tagging = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>";
    expect((await postFields({ key: "public", acl: "public-read", tagging }, { data: "for everyone" })).status).toBe(204);
    const anon = await h.send("GET", `/${B}/public`, { anonymous: true });
    expect(anon.status).toBe(200);
    expect(await anon.text()).toBe("for everyone");
    expect((await h.client.send(new GetObjectTaggingCommand({ Bucket: B, Key: "public" }))).TagSet).toEqual([{ Key: "k", Value: "v" }]);
    expect((await postFields({ key: "private", acl: "private" })).status).toBe(204);
    expect((await h.send("GET", `/${B}/private`, { anonymous: true })).status).toBe(403);
    expect(await errorCode(await postFields({ key: "bad-acl", acl: "everyone-writes" }))).toBe("InvalidArgument");
  });

  test("regression: UTF-8 field values become the same header bytes a PUT would store", async () => {
    const title = "Café ☕ 東京";
    const disposition = 'attachment; filename="résumé.pdf"';
    expect((await postFields({ key: "utf8-post", "x-amz-meta-title": title, "Content-Disposition": disposition })).status).toBe(204);
    // A PUT carries those UTF-8 bytes raw in its headers; fetch takes them as a byte (latin1) string.
    const bytes = (s: string) => Buffer.from(s, "utf8").toString("latin1");
    expect((await h.send("PUT", `/${B}/utf8-put`, { body: "data", headers: { "x-amz-meta-title": bytes(title), "content-disposition": bytes(disposition) } })).status).toBe(200);
    const [posted, put] = await Promise.all([h.send("HEAD", `/${B}/utf8-post`), h.send("HEAD", `/${B}/utf8-put`)]);
    for (const name of ["x-amz-meta-title", "content-disposition"]) expect(posted.headers.get(name)).toBe(put.headers.get(name)!);
    expect(Buffer.from(posted.headers.get("x-amz-meta-title")!, "latin1").toString("utf8")).toBe(title);
  });

  test("regression: a Content-MD5 field is checked: BadDigest stores nothing, the right digest stores the file", async () => {
    const md5 = (s: string) => new Bun.CryptoHasher("md5").update(s).digest("base64");
    expect(await errorCode(await postFields({ key: "digest-bad", "Content-MD5": md5("other") }, { data: "payload" }))).toBe("BadDigest");
    expect((await h.send("HEAD", `/${B}/digest-bad`)).status).toBe(404);
    expect((await postFields({ key: "digest-ok", "Content-MD5": md5("payload") }, { data: "payload" })).status).toBe(204);
    expect(await errorCode(await postFields({ key: "digest-junk", "Content-MD5": "not-a-digest" }))).toBe("InvalidDigest");
  });

  test("regression: an unsigned form stores where the bucket policy lets anyone PutObject, keys and conditions as it says", async () => {
    const P = "post-public-drop";
    await h.client.send(new CreateBucketCommand({ Bucket: P }));
    const statement = (Effect: string, extra: object = {}) => ({ Effect, Principal: "*", Action: "s3:PutObject", Resource: `arn:aws:s3:::${P}/drop/*`, ...extra });
    const Policy = JSON.stringify({
      Version: "2012-10-17",
      // The form's acl field is what s3:x-amz-acl tests.
      Statement: [statement("Allow"), statement("Deny", { Condition: { StringEquals: { "s3:x-amz-acl": "public-read" } } })],
    });
    await h.client.send(new PutBucketPolicyCommand({ Bucket: P, Policy }));
    const anon = (fields: [string, string][]) => post(formBody(fields, { name: "a.txt", data: new TextEncoder().encode("anonymous") }), P);
    expect((await anon([["key", "drop/${filename}"]])).status).toBe(204);
    expect(await (await h.send("GET", `/${P}/drop/a.txt`)).text()).toBe("anonymous");
    expect(await errorCode(await anon([["key", "elsewhere/a.txt"]]))).toBe("AccessDenied");
    expect(await errorCode(await anon([["key", "drop/public.txt"], ["acl", "public-read"]]))).toBe("AccessDenied");
    for (const key of ["elsewhere/a.txt", "drop/public.txt"]) expect((await h.send("HEAD", `/${P}/${key}`)).status).toBe(404);
  });

  /** Posts a client library's signed fields and a file with fetch + FormData, as a browser app would. */
  async function postSigned(signedPost: { url: string; fields: Record<string, string> }, file: { name: string; content: string }): Promise<Response> {
    const fd = new FormData();
    for (const [k, v] of Object.entries(signedPost.fields)) fd.append(k, v);
    fd.append("file", new Blob([file.content], { type: "text/plain" }), file.name);
    return fetch(signedPost.url, { method: "POST", body: fd });
  }

  test("minio-js presignedPostPolicy: its form (eq $bucket/$key, Content-Type, metadata, range) stores the file", async () => {
    const url = new URL(h.endpoint);
    const mc = new Minio.Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: REGION });
    const policy = mc.newPostPolicy();
    policy.setBucket(B);
    policy.setKey("minio-js.txt");
    policy.setExpires(new Date(Date.now() + 600_000));
    policy.setContentLengthRange(1, 1000);
    policy.setContentType("text/plain");
    policy.setUserMetaData({ client: "minio-js" });
    const { postURL, formData } = await mc.presignedPostPolicy(policy);
    expect((await postSigned({ url: postURL, fields: formData }, { name: "x.txt", content: "from minio-js" })).status).toBe(204);
    const got = await h.send("GET", `/${B}/minio-js.txt`);
    expect(await got.text()).toBe("from minio-js");
    expect(got.headers.get("x-amz-meta-client")).toBe("minio-js");
  });

  describe.skipIf(!haveBoto3)("boto3 generate_presigned_post", () => {
    for (const signature of ["s3v4", "s3"]) {
      test(`${signature === "s3" ? "SigV2" : "SigV4"} fields: 201 within the policy, AccessDenied past its key prefix`, async () => {
        const key = `boto3-${signature}/\${filename}`;
        const script = [
          "import boto3, json, sys; from botocore.config import Config",
          `s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="${ACCESS_KEY}", aws_secret_access_key="${SECRET_KEY}", region_name="${REGION}", config=Config(signature_version="${signature}"))`,
          `print(json.dumps(s3.generate_presigned_post("${B}", "${key}", Fields={"success_action_status": "201"}, Conditions=[{"success_action_status": "201"}, ["content-length-range", 1, 100]], ExpiresIn=600)))`,
        ].join("\n");
        const proc = Bun.spawnSync([PYTHON!, "-c", script, h.endpoint]);
        expect(proc.exitCode).toBe(0);
        const signedPost = JSON.parse(proc.stdout.toString()) as { url: string; fields: Record<string, string> };
        const res = await postSigned(signedPost, { name: "b.txt", content: `from boto3 ${signature}` });
        expect(res.status).toBe(201);
        expect(await (await h.send("GET", `/${B}/boto3-${signature}/b.txt`)).text()).toBe(`from boto3 ${signature}`);
        const moved = { ...signedPost, fields: { ...signedPost.fields, key: "elsewhere/b.txt" } };
        expect(await errorCode(await postSigned(moved, { name: "b.txt", content: "x" }))).toBe("AccessDenied");
      });
    }
  });
});
