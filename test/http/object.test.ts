/** Object PUT/GET/HEAD/DELETE/COPY through real clients against the real erasure layer. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { errorCode, sdkError, harnessForFile } from "./harness";

// Erasure-coded writes of a few MiB take seconds on a loaded 2-core machine; nothing here is timed.
setDefaultTimeout(120_000);

const h = harnessForFile();
const B = "objects-bucket";
beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
});


const md5hex = (s: string | Uint8Array) => new Bun.CryptoHasher("md5").update(s).digest("hex");
const md5b64 = (s: string | Uint8Array) => new Bun.CryptoHasher("md5").update(s).digest("base64");

describe("PutObject / GetObject / HeadObject", () => {
  test("metadata and standard headers round-trip; ETag is the quoted MD5", async () => {
    const put = await h.client.send(
      new PutObjectCommand({
        Bucket: B,
        Key: "docs/hello.txt",
        Body: "hello world",
        ContentType: "text/plain",
        CacheControl: "max-age=60",
        ContentDisposition: "inline",
        Metadata: { color: "blue", "Mixed-Case": "Value" },
      }),
    );
    expect(put.ETag).toBe(`"${md5hex("hello world")}"`);
    const got = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "docs/hello.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello world");
    expect(got.ContentType).toBe("text/plain");
    expect(got.CacheControl).toBe("max-age=60");
    expect(got.ContentDisposition).toBe("inline");
    expect(got.ContentLength).toBe(11);
    expect(got.Metadata).toEqual({ color: "blue", "mixed-case": "Value" });
    expect(got.ETag).toBe(put.ETag);
    expect(got.AcceptRanges).toBe("bytes");
    const head = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "docs/hello.txt" }));
    expect(head.ContentLength).toBe(11);
    expect(head.LastModified).toBeInstanceOf(Date);
  });

  test("keys that XML and URLs like to mangle", async () => {
    for (const key of ["0123", " spaced key ", "a+b=c&d", "ü/日本/emoji-😀", "percent%20literal", "q?x=1#frag"]) {
      await h.client.send(new PutObjectCommand({ Bucket: B, Key: key, Body: key }));
      const got = await h.client.send(new GetObjectCommand({ Bucket: B, Key: key }));
      expect(await got.Body!.transformToString()).toBe(key);
    }
  });

  test("an aws-chunked body without Content-Length stores the exact bytes and its CRC32", async () => {
    const data = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
    const res = await h.sendChunked(`/${B}/streamed`, data);
    expect(res.status).toBe(200);
    const crc = res.headers.get("x-amz-checksum-crc32");
    expect(crc).toBeTruthy();
    const got = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "streamed", ChecksumMode: "ENABLED" }));
    expect(got.ChecksumCRC32).toBe(crc!);
    expect(new Uint8Array(await got.Body!.transformToByteArray())).toEqual(data);
    const declared = await h.sendChunked(`/${B}/streamed-declared`, data, { declareLength: true });
    expect(declared.status).toBe(200);
    expect((await h.send("HEAD", `/${B}/streamed-declared`)).headers.get("content-length")).toBe("300000");
  });

  // AWS refuses plain Transfer-Encoding: chunked with 411; like MinIO we accept it (curl -T -),
  // and keep 411 for a PUT that declares no length at all (unit-tested in headers.test.ts).
  test("a plain chunked PUT (no Content-Length, no aws-chunked) stores its bytes", async () => {
    const url = new URL(`/${B}/no-length`, h.endpoint);
    const { signRequestV4 } = await import("../../src/auth/index");
    const signed = signRequestV4({
      method: "PUT",
      url,
      credentials: { accessKeyId: "testaccess", secretAccessKey: "testsecret-0123456789" },
      region: "us-east-1",
      payloadHash: "UNSIGNED-PAYLOAD",
    });
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(10));
        c.close();
      },
    });
    const res = await fetch(url, { method: "PUT", headers: signed.headers, body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(200);
    expect((await h.send("HEAD", `/${B}/no-length`)).headers.get("content-length")).toBe("10");
  });

  test("Content-MD5: right accepted, wrong BadDigest, malformed InvalidDigest", async () => {
    const ok = await h.send("PUT", `/${B}/md5-ok`, { body: "abc", headers: { "content-md5": md5b64("abc") } });
    expect(ok.status).toBe(200);
    const wrong = await h.send("PUT", `/${B}/md5-wrong`, { body: "abc", headers: { "content-md5": md5b64("abd") } });
    expect(await errorCode(wrong)).toBe("BadDigest");
    const bad = await h.send("PUT", `/${B}/md5-bad`, { body: "abc", headers: { "content-md5": "nope" } });
    expect(await errorCode(bad)).toBe("InvalidDigest");
    expect((await h.send("HEAD", `/${B}/md5-wrong`)).status).toBe(404);
  });

  test("encryption headers are refused (501), lock headers on a bucket without lock are InvalidRequest; nothing is stored", async () => {
    const sse = await h.send("PUT", `/${B}/sse`, { body: "x", headers: { "x-amz-server-side-encryption": "AES256" } });
    expect(sse.status).toBe(501);
    expect(await errorCode(sse)).toBe("NotImplemented");
    const lock = await h.send("PUT", `/${B}/sse`, { body: "x", headers: { "x-amz-object-lock-mode": "GOVERNANCE" } });
    expect(lock.status).toBe(400);
    expect(await errorCode(lock)).toBe("InvalidRequest");
    expect((await h.send("HEAD", `/${B}/sse`)).status).toBe(404);
    const acl = await h.send("PUT", `/${B}/acl`, { body: "x", headers: { "x-amz-acl": "private" } });
    expect(acl.status).toBe(200);
  });

  test("a flexible checksum header that does not match the body stores nothing", async () => {
    const res = await h.send("PUT", `/${B}/bad-crc`, { body: "abc", headers: { "x-amz-checksum-crc32": "AAAAAA==" } });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("BadDigest");
    expect((await h.send("HEAD", `/${B}/bad-crc`)).status).toBe(404);
  });

  test("too much user metadata is MetadataTooLarge", async () => {
    const res = await h.send("PUT", `/${B}/big-meta`, { body: "x", headers: { "x-amz-meta-big": "v".repeat(2100) } });
    expect(await errorCode(res)).toBe("MetadataTooLarge");
  });

  test("If-None-Match: * refuses to overwrite; If-Match needs the current ETag", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "cond", Body: "v1", IfNoneMatch: "*" }));
    expect(await sdkError(h.client.send(new PutObjectCommand({ Bucket: B, Key: "cond", Body: "v2", IfNoneMatch: "*" })))).toEqual({
      name: "PreconditionFailed",
      status: 412,
    });
    const wrong = await h.send("PUT", `/${B}/cond`, { body: "v3", headers: { "if-match": '"0000"' } });
    expect(wrong.status).toBe(412);
    const right = await h.send("PUT", `/${B}/cond`, { body: "v3", headers: { "if-match": `"${md5hex("v1")}"` } });
    expect(right.status).toBe(200);
  });

  test("Range: first bytes, open end, suffix; multiple ranges serve everything; unsatisfiable is 416", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "range", Body: "0123456789" }));
    const part = await h.send("GET", `/${B}/range`, { headers: { range: "bytes=2-4" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 2-4/10");
    expect(await part.text()).toBe("234");
    const open = await h.send("GET", `/${B}/range`, { headers: { range: "bytes=7-" } });
    expect(await open.text()).toBe("789");
    const suffix = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "range", Range: "bytes=-3" }));
    expect(await suffix.Body!.transformToString()).toBe("789");
    expect(suffix.ContentRange).toBe("bytes 7-9/10");
    const multi = await h.send("GET", `/${B}/range`, { headers: { range: "bytes=0-1,4-5" } });
    expect(multi.status).toBe(200);
    expect(await multi.text()).toBe("0123456789");
    const beyond = await h.send("GET", `/${B}/range`, { headers: { range: "bytes=20-30" } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */10");
    expect(await errorCode(beyond)).toBe("InvalidRange");
    const headRange = await h.send("HEAD", `/${B}/range`, { headers: { range: "bytes=0-0" } });
    expect(headRange.status).toBe(206);
    expect(headRange.headers.get("content-length")).toBe("1");
  });

  test("conditional GET: 304 and 412", async () => {
    const put = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "etagged", Body: "x" }));
    const nm = await h.send("GET", `/${B}/etagged`, { headers: { "if-none-match": put.ETag! } });
    expect(nm.status).toBe(304);
    expect(await nm.text()).toBe("");
    const m = await h.send("GET", `/${B}/etagged`, { headers: { "if-match": '"nope"' } });
    expect(m.status).toBe(412);
    expect(await errorCode(m)).toBe("PreconditionFailed");
  });

  test("response-* overrides", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "override", Body: "x", ContentType: "text/plain" }));
    const got = await h.client.send(
      new GetObjectCommand({ Bucket: B, Key: "override", ResponseContentType: "application/json", ResponseContentDisposition: "attachment; filename=x.json" }),
    );
    expect(got.ContentType).toBe("application/json");
    expect(got.ContentDisposition).toBe("attachment; filename=x.json");
  });

  test("a response-* override HTTP cannot carry (a line break) is InvalidArgument, small object or streamed", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "override-big", Body: new Uint8Array(600 * 1024) }));
    for (const key of ["override", "override-big"]) {
      const res = await h.send("GET", `/${B}/${key}?response-content-type=text%2Fplain%0D%0AX-Injected%3A%201`);
      expect(res.status).toBe(400);
      expect(res.headers.get("x-amz-error-code")).toBe("InvalidArgument");
      expect(res.headers.get("x-injected")).toBeNull();
      expect(await res.text()).toContain("<ArgumentName>response-content-type</ArgumentName>");
    }
    // The object was released: it can be overwritten at once.
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "override-big", Body: "y" }));
  });

  test("checksum mode returns the stored CRC32", async () => {
    const put = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "crc", Body: "checksummed", ChecksumAlgorithm: "CRC32" }));
    expect(put.ChecksumCRC32).toBeTruthy();
    const got = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "crc", ChecksumMode: "ENABLED" }));
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
    await got.Body!.transformToString();
  });

  test("missing key: GET NoSuchKey, HEAD 404 with x-amz-error-code", async () => {
    expect(await sdkError(h.client.send(new GetObjectCommand({ Bucket: B, Key: "absent" })))).toEqual({ name: "NoSuchKey", status: 404 });
    const head = await h.send("HEAD", `/${B}/absent`);
    expect(head.status).toBe(404);
    expect(head.headers.get("x-amz-error-code")).toBe("NoSuchKey");
    expect(await head.text()).toBe("");
  });

  test("x-amz-tagging is stored and counted", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "tagged", Body: "x", Tagging: "a=1&b=2" }));
    const head = await h.send("HEAD", `/${B}/tagged`);
    expect(head.headers.get("x-amz-tagging-count")).toBe("2");
    const bad = await h.send("PUT", `/${B}/badtags`, { body: "x", headers: { "x-amz-tagging": "k=1&k=2" } });
    expect(await errorCode(bad)).toBe("InvalidTag");
  });
});

describe("DeleteObject / DeleteObjects", () => {
  test("delete is idempotent (204 for a missing key)", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "gone", Body: "x" }));
    const del = await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "gone" }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    const again = await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "gone" }));
    expect(again.$metadata.httpStatusCode).toBe(204);
  });

  test("batch delete, verbose and quiet", async () => {
    for (const k of ["m1", "m2", "m3"]) await h.client.send(new PutObjectCommand({ Bucket: B, Key: k, Body: k }));
    const res = await h.client.send(
      new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: "m1" }, { Key: "m2" }, { Key: "never-was" }] } }),
    );
    expect(res.Deleted?.map((d) => d.Key).sort()).toEqual(["m1", "m2", "never-was"]);
    const quiet = await h.client.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: "m3" }], Quiet: true } }));
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(quiet.Errors ?? []).toEqual([]);
    expect((await h.send("HEAD", `/${B}/m3`)).status).toBe(404);
  });

  test("more than 1000 keys is MalformedXML; bad Content-MD5 is BadDigest", async () => {
    const many = `<Delete>${Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join("")}</Delete>`;
    expect(await errorCode(await h.send("POST", `/${B}?delete`, { body: many }))).toBe("MalformedXML");
    const body = "<Delete><Object><Key>x</Key></Object></Delete>";
    const res = await h.send("POST", `/${B}?delete`, { body, headers: { "content-md5": md5b64("other") } });
    expect(await errorCode(res)).toBe("BadDigest");
  });

  test("versioned bucket: delete makes a marker and reports it", async () => {
    const VB = "objects-versioned";
    await h.client.send(new CreateBucketCommand({ Bucket: VB }));
    await h.client.send(new PutBucketVersioningCommand({ Bucket: VB, VersioningConfiguration: { Status: "Enabled" } }));
    const put = await h.client.send(new PutObjectCommand({ Bucket: VB, Key: "v", Body: "one" }));
    expect(put.VersionId).toBeTruthy();
    const del = await h.client.send(new DeleteObjectCommand({ Bucket: VB, Key: "v" }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toBeTruthy();
    const old = await h.client.send(new GetObjectCommand({ Bucket: VB, Key: "v", VersionId: put.VersionId }));
    expect(await old.Body!.transformToString()).toBe("one");
    expect(old.VersionId).toBe(put.VersionId);
    // A specific version can be copied even though the key's latest is a delete marker.
    const copy = await h.client.send(new CopyObjectCommand({ Bucket: VB, Key: "restored", CopySource: `${VB}/v?versionId=${put.VersionId}` }));
    expect(copy.CopySourceVersionId).toBe(put.VersionId);
    expect(copy.VersionId).toBeTruthy();
    const restored = await h.client.send(new GetObjectCommand({ Bucket: VB, Key: "restored" }));
    expect(await restored.Body!.transformToString()).toBe("one");
    const byVersion = await h.client.send(new DeleteObjectCommand({ Bucket: VB, Key: "v", VersionId: put.VersionId }));
    expect(byVersion.VersionId).toBe(put.VersionId);
    expect(
      await sdkError(h.client.send(new GetObjectCommand({ Bucket: VB, Key: "v", VersionId: put.VersionId }))),
    ).toMatchObject({ status: 404 });
  });
});

describe("CopyObject", () => {
  test("COPY keeps metadata, REPLACE replaces it", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "src", Body: "payload", ContentType: "text/x", Metadata: { a: "1" } }));
    const copy = await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "dst", CopySource: `${B}/src` }));
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5hex("payload")}"`);
    const dst = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "dst" }));
    expect(dst.Metadata).toEqual({ a: "1" });
    expect(dst.ContentType).toBe("text/x");
    await h.client.send(
      new CopyObjectCommand({ Bucket: B, Key: "dst2", CopySource: `${B}/src`, MetadataDirective: "REPLACE", Metadata: { b: "2" }, ContentType: "text/y" }),
    );
    const dst2 = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "dst2" }));
    expect(dst2.Metadata).toEqual({ b: "2" });
    expect(dst2.ContentType).toBe("text/y");
    expect(await dst2.Body!.transformToString()).toBe("payload");
  });

  test("copy source with special characters is URL-decoded", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "dir/a b+c.txt", Body: "special" }));
    await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "special-copy", CopySource: encodeURIComponent(`${B}/dir/a b+c.txt`) }));
    const got = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "special-copy" }));
    expect(await got.Body!.transformToString()).toBe("special");
  });

  test("copy onto itself without REPLACE is InvalidRequest; with REPLACE it works", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "self", Body: "me" }));
    expect(await sdkError(h.client.send(new CopyObjectCommand({ Bucket: B, Key: "self", CopySource: `${B}/self` })))).toEqual({
      name: "InvalidRequest",
      status: 400,
    });
    await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "self", CopySource: `${B}/self`, MetadataDirective: "REPLACE", Metadata: { n: "1" } }));
    expect((await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "self" }))).Metadata).toEqual({ n: "1" });
  });

  test("copy-source conditions and missing source", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "csrc", Body: "c" }));
    expect(
      await sdkError(h.client.send(new CopyObjectCommand({ Bucket: B, Key: "cdst", CopySource: `${B}/csrc`, CopySourceIfMatch: '"nope"' }))),
    ).toEqual({ name: "PreconditionFailed", status: 412 });
    expect(await sdkError(h.client.send(new CopyObjectCommand({ Bucket: B, Key: "cdst", CopySource: `${B}/absent` })))).toEqual({
      name: "NoSuchKey",
      status: 404,
    });
  });

  test("tagging directive REPLACE sets new tags, COPY keeps the source's", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "tsrc", Body: "t", Tagging: "x=1" }));
    await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "tcopy", CopySource: `${B}/tsrc` }));
    expect((await h.send("HEAD", `/${B}/tcopy`)).headers.get("x-amz-tagging-count")).toBe("1");
    await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "treplace", CopySource: `${B}/tsrc`, TaggingDirective: "REPLACE", Tagging: "y=2&z=3" }));
    expect((await h.send("HEAD", `/${B}/treplace`)).headers.get("x-amz-tagging-count")).toBe("2");
  });
});
