/** Cairn's own response bodies parse through the response schemas the CLI will use. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { parseXml, responses } from "../../src/s3/index";
import { harnessForFile } from "./harness";

// Erasure-coded writes of a few MiB take seconds on a loaded 2-core machine; nothing here is timed.
setDefaultTimeout(120_000);

const h = harnessForFile();
const B = "responses-bucket";
beforeAll(async () => {
  await h.send("PUT", `/${B}`);
  for (const k of ["a", "dir/b", "dir/c"]) await h.send("PUT", `/${B}/${k}`, { body: k });
});

async function xmlOf(method: string, path: string, body?: string): Promise<string> {
  const res = await h.send(method, path, body === undefined ? {} : { body });
  return res.text();
}

describe("response schemas read Cairn's responses", () => {
  test("ListAllMyBucketsResult", async () => {
    const r = parseXml(await xmlOf("GET", "/"), "ListAllMyBucketsResult", responses.listAllMyBucketsResult);
    expect(r.Buckets.Bucket.map((b) => b.Name)).toContain(B);
    expect(r.Buckets.Bucket[0]!.CreationDate).toBeInstanceOf(Date);
  });

  test("ListBucketResult V2 and V1", async () => {
    const v2 = parseXml(await xmlOf("GET", `/${B}?list-type=2&delimiter=/&max-keys=1`), "ListBucketResult", responses.listBucketResult);
    expect(v2).toMatchObject({ Name: B, Prefix: "", Delimiter: "/", MaxKeys: 1, IsTruncated: true, KeyCount: 1 });
    expect(v2.Contents.map((c) => [c.Key, c.Size])).toEqual([["a", 1]]);
    expect(v2.NextContinuationToken).toBeTruthy();
    const next = parseXml(
      await xmlOf("GET", `/${B}?list-type=2&delimiter=/&continuation-token=${v2.NextContinuationToken}`),
      "ListBucketResult",
      responses.listBucketResult,
    );
    expect(next.CommonPrefixes).toEqual([{ Prefix: "dir/" }]);
    expect(next.IsTruncated).toBe(false);
    const v1 = parseXml(await xmlOf("GET", `/${B}?prefix=dir/`), "ListBucketResult", responses.listBucketResult);
    expect(v1.Contents.map((c) => c.Key)).toEqual(["dir/b", "dir/c"]);
    expect(v1.Contents[0]!.Owner?.ID).toBeTruthy();
  });

  test("ListVersionsResult", async () => {
    const r = parseXml(await xmlOf("GET", `/${B}?versions`), "ListVersionsResult", responses.listVersionsResult);
    expect(r.Version.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ["a", "null", true],
      ["dir/b", "null", true],
      ["dir/c", "null", true],
    ]);
  });

  test("multipart results and CopyObjectResult", async () => {
    const init = parseXml(await xmlOf("POST", `/${B}/mp?uploads`), "InitiateMultipartUploadResult", responses.initiateMultipartUploadResult);
    expect(init).toMatchObject({ Bucket: B, Key: "mp" });
    const part = await h.send("PUT", `/${B}/mp?partNumber=1&uploadId=${init.UploadId}`, { body: "only part" });
    const etag = part.headers.get("etag")!;
    const parts = parseXml(await xmlOf("GET", `/${B}/mp?uploadId=${init.UploadId}`), "ListPartsResult", responses.listPartsResult);
    expect(parts.Part.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([[1, etag, 9]]);
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`;
    const done = parseXml(await xmlOf("POST", `/${B}/mp?uploadId=${init.UploadId}`, body), "CompleteMultipartUploadResult", responses.completeMultipartUploadResult);
    expect(done).toMatchObject({ Bucket: B, Key: "mp" });
    expect(done.ETag).toMatch(/-1"$/);
    const copy = await h.send("PUT", `/${B}/mp-copy`, { headers: { "x-amz-copy-source": `/${B}/mp` } });
    const c = parseXml(await copy.text(), "CopyObjectResult", responses.copyObjectResult);
    expect(c.ETag).toMatch(/^"[0-9a-f]{32}(-\d+)?"$/);
    expect(c.LastModified).toBeInstanceOf(Date);
  });

  test("DeleteResult and Error", async () => {
    const body = "<Delete><Object><Key>a</Key></Object><Object><Key>missing</Key></Object></Delete>";
    const r = parseXml(await xmlOf("POST", `/${B}?delete`, body), "DeleteResult", responses.deleteResult);
    expect(r.Deleted.map((d) => d.Key).sort()).toEqual(["a", "missing"]);
    expect(r.Error).toEqual([]);
    const e = parseXml(await xmlOf("GET", `/${B}/nope`), "Error", responses.errorResponse);
    expect(e).toMatchObject({ Code: "NoSuchKey", Key: "nope", Resource: `/${B}/nope` });
  });
});

describe("answers held in memory", () => {
  test("carry their exact Content-Length, not chunked framing: XML, errors, small objects, HEAD", async () => {
    for (const [method, path, status] of [
      ["GET", `/${B}?list-type=2`, 200],
      ["GET", `/${B}/no-such-key`, 404],
      ["GET", `/${B}/dir/b`, 200],
      ["GET", `/${B}?versioning`, 200],
    ] as const) {
      const res = await h.send(method, path);
      const body = new Uint8Array(await res.arrayBuffer());
      expect(res.status).toBe(status);
      expect(res.headers.get("transfer-encoding")).toBeNull();
      expect(res.headers.get("content-length")).toBe(String(body.byteLength));
      expect(body.byteLength).toBeGreaterThan(0);
    }
    const head = await h.send("HEAD", `/${B}/dir/b`);
    expect(head.headers.get("content-length")).toBe("5");
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });
});
