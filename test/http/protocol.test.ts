/** Cross-cutting protocol behaviour: auth gate, 501s, response headers, virtual hosts, tagging. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CreateBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetObjectTaggingCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { ACCESS_KEY, REGION, errorCode, harnessForFile } from "./harness";

// Erasure-coded writes of a few MiB take seconds on a loaded 2-core machine; nothing here is timed.
setDefaultTimeout(120_000);

const h = harnessForFile();
const B = "protocol-bucket";
beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
  await h.client.send(new PutObjectCommand({ Bucket: B, Key: "obj", Body: "data" }));
});

async function sdkName(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(e)}`);
  return e.name;
}

describe("authentication gate", () => {
  test("anonymous requests are AccessDenied", async () => {
    const res = await h.send("GET", `/${B}/obj`, { anonymous: true });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe("AccessDenied");
  });

  test("a wrong secret is SignatureDoesNotMatch, an unknown key InvalidAccessKeyId", async () => {
    const wrong = new S3Client({
      endpoint: h.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: "wrong-secret" },
      maxAttempts: 1,
    });
    expect(await sdkName(wrong.send(new GetObjectTaggingCommand({ Bucket: B, Key: "obj" })))).toBe("SignatureDoesNotMatch");
    const unknown = new S3Client({
      endpoint: h.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: "nobody", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    expect(await sdkName(unknown.send(new GetObjectTaggingCommand({ Bucket: B, Key: "obj" })))).toBe("InvalidAccessKeyId");
  });

  test("a chunk signature that does not verify stores nothing", async () => {
    const data = new Uint8Array(200_000).fill(7);
    // The same upload correctly signed goes through…
    const res = await h.sendChunked(`/${B}/tampered`, data, { headers: { "x-amz-meta-a": "1" } });
    expect(res.status).toBe(200);
    const url = new URL(`/${B}/tampered2`, h.endpoint);
    const { signRequestV4, encodeAwsChunked, STREAMING_SIGNED_TRAILER } = await import("../../src/auth/index");
    const headers = new Headers({ "content-encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32" });
    const signed = signRequestV4({
      method: "PUT",
      url,
      headers,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: "testsecret-0123456789" },
      region: REGION,
      payloadHash: STREAMING_SIGNED_TRAILER,
    });
    async function* body() {
      yield data;
    }
    // …but chained from a wrong seed signature every chunk signature is wrong.
    const chunking = { ...signed.chunkSigning, seedSignature: "0".repeat(64) };
    const bad = await fetch(url, {
      method: "PUT",
      headers: signed.headers,
      body: encodeAwsChunked(body(), { signing: chunking, trailerChecksum: "CRC32" }),
      duplex: "half",
    } as RequestInit);
    expect(bad.status).toBe(403);
    expect(await errorCode(bad)).toBe("SignatureDoesNotMatch");
    expect((await h.send("HEAD", `/${B}/tampered2`)).status).toBe(404);
  });
});

describe("presigned URLs", () => {
  test("GET and PUT through URLs from @aws-sdk/s3-request-presigner; a tampered URL is refused", async () => {
    const { getSignedUrl } = await import("@aws-sdk/s3-request-presigner");
    const { GetObjectCommand } = await import("@aws-sdk/client-s3");
    const putUrl = await getSignedUrl(h.client, new PutObjectCommand({ Bucket: B, Key: "presigned" }), { expiresIn: 60 });
    const put = await fetch(putUrl, { method: "PUT", body: "via url" });
    expect(put.status).toBe(200);
    const getUrl = await getSignedUrl(h.client, new GetObjectCommand({ Bucket: B, Key: "presigned" }), { expiresIn: 60 });
    const got = await fetch(getUrl);
    expect(await got.text()).toBe("via url");
    const tampered = await fetch(getUrl.replace("presigned", "obj"));
    expect(tampered.status).toBe(403);
    expect(await errorCode(tampered)).toBe("SignatureDoesNotMatch");
  });
});

describe("responses", () => {
  test("every response carries request id, host id and Server", async () => {
    for (const res of [await h.send("GET", `/${B}/obj`), await h.send("GET", `/${B}/missing`), await h.send("HEAD", `/${B}/obj`)]) {
      expect(res.headers.get("x-amz-request-id")).toMatch(/^T\d+$/);
      expect(res.headers.get("x-amz-id-2")).toBeTruthy();
      expect(res.headers.get("server")).toBe("Cairn");
      await res.arrayBuffer();
    }
  });

  test("HEAD has headers but no body", async () => {
    const res = await h.send("HEAD", `/${B}/obj`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("4");
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await res.text()).toBe("");
  });

  test("known but unserved sub-resources are 501 NotImplemented, after authentication", async () => {
    for (const path of [`/${B}?replication`, `/${B}?website`, `/${B}?logging`, `/${B}?analytics`, `/${B}/obj?torrent`]) {
      const res = await h.send("GET", path);
      expect(res.status).toBe(501);
      expect(await errorCode(res)).toBe("NotImplemented");
    }
    const named = await (await h.send("PUT", `/${B}?replication`, { body: "<x/>" })).text();
    expect(named).toContain("<Message>PutBucketReplication is not implemented.</Message>");
    expect((await h.send("GET", `/${B}?website`, { anonymous: true })).status).toBe(403);
  });

  test("POST to an object without a sub-resource is MethodNotAllowed", async () => {
    const res = await h.send("POST", `/${B}/obj`);
    expect(res.status).toBe(405);
    expect(await errorCode(res)).toBe("MethodNotAllowed");
  });

  test("virtual-host style requests reach the same bucket", async () => {
    const port = new URL(h.endpoint).port;
    const { signRequestV4 } = await import("../../src/auth/index");
    const url = new URL(`http://${B}.localhost:${port}/obj`);
    const signed = signRequestV4({
      method: "GET",
      url,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: "testsecret-0123456789" },
      region: REGION,
    });
    // Connect to 127.0.0.1 but present the virtual host name.
    const res = await fetch(new URL(`/obj`, h.endpoint), { headers: signed.headers });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("data");
  });
});

describe("tagging", () => {
  test("object tags: put, get, delete", async () => {
    await h.client.send(
      new PutObjectTaggingCommand({ Bucket: B, Key: "obj", Tagging: { TagSet: [{ Key: "project", Value: "cairn" }, { Key: "empty", Value: "" }] } }),
    );
    const got = await h.client.send(new GetObjectTaggingCommand({ Bucket: B, Key: "obj" }));
    expect(got.TagSet).toEqual([
      { Key: "project", Value: "cairn" },
      { Key: "empty", Value: "" },
    ]);
    await h.client.send(new DeleteObjectTaggingCommand({ Bucket: B, Key: "obj" }));
    expect((await h.client.send(new GetObjectTaggingCommand({ Bucket: B, Key: "obj" }))).TagSet ?? []).toEqual([]);
  });

  test("tag limits: 11 tags BadRequest, a long key InvalidTag; tags on a missing object NoSuchKey", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect(await sdkName(h.client.send(new PutObjectTaggingCommand({ Bucket: B, Key: "obj", Tagging: { TagSet: eleven } })))).toBe("BadRequest");
    expect(
      await sdkName(h.client.send(new PutObjectTaggingCommand({ Bucket: B, Key: "obj", Tagging: { TagSet: [{ Key: "k".repeat(129), Value: "v" }] } }))),
    ).toBe("InvalidTag");
    expect(await sdkName(h.client.send(new GetObjectTaggingCommand({ Bucket: B, Key: "nope" })))).toBe("NoSuchKey");
  });

  test("bucket tags: none is NoSuchTagSet, then put, get, delete", async () => {
    expect(await sdkName(h.client.send(new GetBucketTaggingCommand({ Bucket: B })))).toBe("NoSuchTagSet");
    await h.client.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: "team", Value: "storage" }] } }));
    expect((await h.client.send(new GetBucketTaggingCommand({ Bucket: B }))).TagSet).toEqual([{ Key: "team", Value: "storage" }]);
    await h.client.send(new DeleteBucketTaggingCommand({ Bucket: B }));
    expect(await sdkName(h.client.send(new GetBucketTaggingCommand({ Bucket: B })))).toBe("NoSuchTagSet");
  });

  test("malformed tagging XML is MalformedXML", async () => {
    const res = await h.send("PUT", `/${B}/obj?tagging`, { body: "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>" });
    expect(await errorCode(res)).toBe("MalformedXML");
  });
});
