/** Multipart uploads through the AWS SDK (and lib-storage) against the real erasure layer. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { errorCode, sdkErrorName, harnessForFile } from "./harness";

// Erasure-coded writes of a few MiB take seconds on a loaded 2-core machine; nothing here is timed.
setDefaultTimeout(120_000);

const h = harnessForFile();
const B = "multipart-bucket";
const MiB = 1024 * 1024;

beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
});

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 255;
  return out;
}


const md5 = (b: Uint8Array) => new Bun.CryptoHasher("md5").update(b).digest();

describe("multipart", () => {
  test("create, upload two parts, list parts, complete, read back", async () => {
    const p1 = bytes(5 * MiB, 1);
    const p2 = bytes(1234, 2);
    const { UploadId } = await h.client.send(new CreateMultipartUploadCommand({ Bucket: B, Key: "big", ContentType: "video/mp4", Metadata: { m: "1" } }));
    expect(UploadId).toBeTruthy();
    const listed = await h.client.send(new ListMultipartUploadsCommand({ Bucket: B }));
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toContainEqual(["big", UploadId]);
    const e1 = await h.client.send(new UploadPartCommand({ Bucket: B, Key: "big", UploadId, PartNumber: 1, Body: p1 }));
    const e2 = await h.client.send(new UploadPartCommand({ Bucket: B, Key: "big", UploadId, PartNumber: 2, Body: p2 }));
    expect(e1.ETag).toBe(`"${md5(p1).toString("hex")}"`);
    const parts = await h.client.send(new ListPartsCommand({ Bucket: B, Key: "big", UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, p1.length, e1.ETag],
      [2, p2.length, e2.ETag],
    ]);
    const done = await h.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: B,
        Key: "big",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] },
      }),
    );
    const expected = new Bun.CryptoHasher("md5").update(Buffer.concat([md5(p1), md5(p2)])).digest("hex");
    expect(done.ETag).toBe(`"${expected}-2"`);
    expect(done.Key).toBe("big");
    const got = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "big" }));
    expect(got.ContentType).toBe("video/mp4");
    expect(got.Metadata).toEqual({ m: "1" });
    const all = new Uint8Array(await got.Body!.transformToByteArray());
    expect(all.length).toBe(p1.length + p2.length);
    expect(Buffer.compare(all.subarray(p1.length), p2)).toBe(0);
    const part2 = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "big", PartNumber: 2 }));
    expect(part2.PartsCount).toBe(2);
    expect(part2.ContentLength).toBe(p2.length);
    await part2.Body!.transformToByteArray();
    const head = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "big", PartNumber: 1 }));
    expect(head.ContentLength).toBe(p1.length);
    const head2 = await h.send("HEAD", `/${B}/big?partNumber=2`);
    expect(head2.status).toBe(206);
    expect(head2.headers.get("content-range")).toBe(`bytes ${p1.length}-${p1.length + p2.length - 1}/${p1.length + p2.length}`);
    expect(head2.headers.get("x-amz-mp-parts-count")).toBe("2");
  });

  test("complete errors: InvalidPart, InvalidPartOrder, EntityTooSmall, NoSuchUpload, MalformedXML", async () => {
    const { UploadId } = await h.client.send(new CreateMultipartUploadCommand({ Bucket: B, Key: "bad" }));
    const small1 = await h.client.send(new UploadPartCommand({ Bucket: B, Key: "bad", UploadId, PartNumber: 1, Body: bytes(100, 1) }));
    const small2 = await h.client.send(new UploadPartCommand({ Bucket: B, Key: "bad", UploadId, PartNumber: 2, Body: bytes(100, 2) }));
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) =>
      h.client.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: "bad", UploadId, MultipartUpload: { Parts } }));
    expect(await sdkErrorName(complete([{ PartNumber: 1, ETag: '"0000"' }]))).toBe("InvalidPart");
    expect(await sdkErrorName(complete([{ PartNumber: 2, ETag: small2.ETag }, { PartNumber: 1, ETag: small1.ETag }]))).toBe("InvalidPartOrder");
    expect(await sdkErrorName(complete([{ PartNumber: 1, ETag: small1.ETag }, { PartNumber: 2, ETag: small2.ETag }]))).toBe("EntityTooSmall");
    const empty = await h.send("POST", `/${B}/bad?uploadId=${UploadId}`, { body: "<CompleteMultipartUpload></CompleteMultipartUpload>" });
    expect(await errorCode(empty)).toBe("MalformedXML");
    await h.client.send(new AbortMultipartUploadCommand({ Bucket: B, Key: "bad", UploadId }));
    expect(await sdkErrorName(h.client.send(new ListPartsCommand({ Bucket: B, Key: "bad", UploadId })))).toBe("NoSuchUpload");
  });

  test("ListMultipartUploads: prefix, delimiter, pagination by key marker", async () => {
    const LB = "multipart-listing";
    await h.client.send(new CreateBucketCommand({ Bucket: LB }));
    const ids: Record<string, string> = {};
    for (const key of ["a/1", "a/2", "b/1", "c"]) {
      ids[key] = (await h.client.send(new CreateMultipartUploadCommand({ Bucket: LB, Key: key }))).UploadId!;
    }
    const top = await h.client.send(new ListMultipartUploadsCommand({ Bucket: LB, Delimiter: "/" }));
    expect(top.Uploads?.map((u) => u.Key)).toEqual(["c"]);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/", "b/"]);
    const a = await h.client.send(new ListMultipartUploadsCommand({ Bucket: LB, Prefix: "a/" }));
    expect(a.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      ["a/1", ids["a/1"]],
      ["a/2", ids["a/2"]],
    ]);
    const first = await h.client.send(new ListMultipartUploadsCommand({ Bucket: LB, MaxUploads: 2 }));
    expect(first.IsTruncated).toBe(true);
    expect(first.Uploads).toHaveLength(2);
    const rest = await h.client.send(
      new ListMultipartUploadsCommand({ Bucket: LB, KeyMarker: first.NextKeyMarker, UploadIdMarker: first.NextUploadIdMarker }),
    );
    expect([...first.Uploads!, ...rest.Uploads!].map((u) => u.Key)).toEqual(["a/1", "a/2", "b/1", "c"]);
  });

  test("part number outside 1..10000 is InvalidArgument", async () => {
    const { UploadId } = await h.client.send(new CreateMultipartUploadCommand({ Bucket: B, Key: "pn" }));
    for (const n of ["0", "10001", "x"]) {
      const res = await h.send("PUT", `/${B}/pn?partNumber=${n}&uploadId=${UploadId}`, { body: "x" });
      expect(await errorCode(res)).toBe("InvalidArgument");
    }
  });

  test("UploadPartCopy with a source range", async () => {
    const src = bytes(6 * MiB, 9);
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "copy-src", Body: src }));
    const { UploadId } = await h.client.send(new CreateMultipartUploadCommand({ Bucket: B, Key: "copy-dst" }));
    const c1 = await h.client.send(
      new UploadPartCopyCommand({ Bucket: B, Key: "copy-dst", UploadId, PartNumber: 1, CopySource: `${B}/copy-src`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }),
    );
    const c2 = await h.client.send(
      new UploadPartCopyCommand({ Bucket: B, Key: "copy-dst", UploadId, PartNumber: 2, CopySource: `${B}/copy-src`, CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}` }),
    );
    expect(c1.CopyPartResult?.ETag).toBe(`"${md5(src.subarray(0, 5 * MiB)).toString("hex")}"`);
    await h.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: B,
        Key: "copy-dst",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: c1.CopyPartResult!.ETag }, { PartNumber: 2, ETag: c2.CopyPartResult!.ETag }] },
      }),
    );
    const got = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "copy-dst" }));
    expect(Buffer.compare(new Uint8Array(await got.Body!.transformToByteArray()), src)).toBe(0);
    const bad = await h.client
      .send(new UploadPartCopyCommand({ Bucket: B, Key: "copy-dst", UploadId: "x", PartNumber: 1, CopySource: `${B}/copy-src`, CopySourceRange: "bytes=10-" }))
      .catch((e: S3ServiceException) => e.name);
    expect(bad).toBe("InvalidArgument");
    const noUpload = await h.client
      .send(new UploadPartCopyCommand({ Bucket: B, Key: "copy-dst", UploadId: "no-such-upload", PartNumber: 1, CopySource: `${B}/copy-src`, CopySourceRange: "bytes=0-9" }))
      .catch((e: S3ServiceException) => e.name);
    expect(noUpload).toBe("NoSuchUpload");
  });

  test("lib-storage Upload of a 12 MiB buffer (three parts, concurrent)", async () => {
    const data = bytes(12 * MiB, 5);
    const up = new Upload({ client: h.client, params: { Bucket: B, Key: "libstorage", Body: data }, partSize: 5 * MiB, queueSize: 3 });
    const res = await up.done();
    expect(res.ETag).toMatch(/-3"$/);
    const got = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "libstorage" }));
    expect(Buffer.compare(new Uint8Array(await got.Body!.transformToByteArray()), data)).toBe(0);
  });
});
