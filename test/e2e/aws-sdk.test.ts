/**
 * @aws-sdk/client-s3 (current v3) at its defaults — flexible checksums on, aws-chunked bodies with
 * CRC32 trailers for streams — plus lib-storage's Upload and presigned URLs, on 1 and 4 drives.
 * Only `forcePathStyle` differs from a stock client: loopback has no bucket subdomains.
 */
import { sdkClient } from "../sdk-client";
import { sdkErrorName } from "../sdk-errors";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand,
  HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Readable } from "node:stream";
import { bucketName, cleanupTemp, pseudoRandom, startServer, type ServerHandle } from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

afterAll(cleanupTemp);

function md5(data: Uint8Array): string {
  return new Bun.CryptoHasher("md5").update(data).digest("hex");
}

/** A body the SDK cannot hash up front: it sends aws-chunked with a trailing checksum. */
function slowStream(data: Uint8Array, piece: number): Readable {
  return Readable.from(
    (function* () {
      for (let off = 0; off < data.length; off += piece) yield Buffer.from(data.subarray(off, off + piece));
    })(),
  );
}

for (const driveCount of [1, 4]) {
  describe(`@aws-sdk/client-s3 on ${driveCount} drive(s)`, () => {
    let server: ServerHandle;
    let s3: S3Client;
    let bucket: string;
    beforeAll(async () => {
      server = await startServer({ drives: driveCount });
      s3 = sdkClient(server.url);
      bucket = bucketName("sdk");
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    });
    afterAll(async () => {
      s3?.destroy();
      await server?.stop();
    });

    test("a Buffer PutObject (CRC32 header) round-trips with checksum validation on GET", async () => {
      const data = pseudoRandom(300 * 1024, 3);
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "buf.bin", Body: Buffer.from(data), ContentType: "application/x-buf" }));
      expect(put.ETag).toBe(`"${md5(data)}"`);
      expect(put.ChecksumCRC32).toBeString();
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "buf.bin", ChecksumMode: "ENABLED" }));
      expect(got.ContentType).toBe("application/x-buf");
      // A streamed body with its Content-Length (Bun.serve would have sent it chunked).
      expect(got.ContentLength).toBe(data.length);
      expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
      expect(md5(await got.Body!.transformToByteArray())).toBe(md5(data));
    });

    // The SDK cannot sign an unknown-length stream PutObject (it sends `x-amz-decoded-content-length:
    // undefined`, refused by the HTTP client), so the length is given; the body is still aws-chunked.
    test("a stream PutObject (aws-chunked with a CRC32 trailer) stores every byte", async () => {
      const data = pseudoRandom(3 * 1024 * 1024 + 17, 4);
      const body = slowStream(data, 100_000);
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "stream.bin", Body: body, ContentLength: data.length }));
      expect(put.ChecksumCRC32).toBeString();
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "stream.bin" }));
      expect(head.ContentLength).toBe(data.length);
      expect(head.ETag).toBe(`"${md5(data)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "stream.bin" }));
      expect(md5(await got.Body!.transformToByteArray())).toBe(md5(data));
    });

    test("lib-storage Upload of 20 MiB from a stream goes multipart", async () => {
      const data = pseudoRandom(20 * 1024 * 1024, 20);
      const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: "upload-20m.bin", Body: slowStream(data, 1 << 20) } });
      const done = await upload.done();
      expect(done.ETag).toMatch(/-4"$/);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "upload-20m.bin" }));
      expect(md5(await got.Body!.transformToByteArray())).toBe(md5(data));
    }, 60_000);

    test("presigned PUT then presigned GET, with plain fetch", async () => {
      const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: "presigned.txt" }), { expiresIn: 300 });
      const put = await fetch(putUrl, { method: "PUT", body: "sent with a presigned URL" });
      expect(put.status).toBe(200);
      const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "presigned.txt" }), { expiresIn: 300 });
      const get = await fetch(getUrl);
      expect(get.status).toBe(200);
      expect(await get.text()).toBe("sent with a presigned URL");
      const tampered = await fetch(getUrl.replace("presigned.txt", "other.txt"));
      expect(tampered.status).toBe(403);
    });

    test("list, copy, DeleteObjects without Content-MD5, errors by name", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "lst/a", Body: "a" }));
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "lst/b", CopySource: `${bucket}/lst/a` }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "lst/" }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(["lst/a", "lst/b"]);
      const del = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "lst/a" }, { Key: "lst/b" }] } }));
      expect(del.Deleted).toHaveLength(2);
      expect(await sdkErrorName(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "lst/a" })))).toBe("NotFound");
      expect(await sdkErrorName(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "lst/a" })))).toBe("NoSuchKey");
      expect(await sdkErrorName(s3.send(new DeleteBucketCommand({ Bucket: bucket })))).toBe("BucketNotEmpty");
    });
  });
}
