/**
 * minio-js (npm `minio`): put/get/stat/list/remove and presigned URLs on 1 and 4 drives; a 70 MiB
 * fPutObject (multipart: minio-js uses 64 MiB parts) on 4 drives.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import * as Minio from "minio";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  ACCESS_KEY, bucketName, cleanupTemp, md5File, pseudoRandom, REGION, SECRET_KEY, startServer, tempDir, writeRandomFile,
  type ServerHandle,
} from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

afterAll(cleanupTemp);

function clientFor(server: ServerHandle): Minio.Client {
  return new Minio.Client({ endPoint: "127.0.0.1", port: server.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, region: REGION });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listNames(client: Minio.Client, bucket: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const item of client.listObjectsV2(bucket, prefix, true)) if (item.name) names.push(item.name);
  return names;
}

for (const driveCount of [1, 4]) {
  describe(`minio-js on ${driveCount} drive(s)`, () => {
    let server: ServerHandle;
    let client: Minio.Client;
    let bucket: string;
    beforeAll(async () => {
      server = await startServer({ drives: driveCount });
      client = clientFor(server);
      bucket = bucketName("minio-js");
      await client.makeBucket(bucket, REGION);
    });
    afterAll(async () => {
      await server?.stop();
    });

    test("bucketExists, putObject (buffer and stream), getObject, getPartialObject, statObject", async () => {
      expect(await client.bucketExists(bucket)).toBe(true);
      expect(await client.bucketExists(`${bucket}-missing`)).toBe(false);
      const data = Buffer.from(pseudoRandom(256 * 1024, 5));
      const put = await client.putObject(bucket, "obj/buffer.bin", data, data.length, { "Content-Type": "application/x-mjs", "X-Amz-Meta-Tag": "v1" });
      expect(put.etag).toBe(new Bun.CryptoHasher("md5").update(data).digest("hex"));
      await client.putObject(bucket, "obj/stream.bin", Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      expect((await readAll(await client.getObject(bucket, "obj/stream.bin"))).equals(data)).toBe(true);
      expect((await readAll(await client.getPartialObject(bucket, "obj/buffer.bin", 10, 20))).equals(data.subarray(10, 30))).toBe(true);
      const stat = await client.statObject(bucket, "obj/buffer.bin");
      expect(stat.size).toBe(data.length);
      expect(stat.metaData["content-type"]).toBe("application/x-mjs");
      expect(stat.metaData["tag"]).toBe("v1");
    });

    test("listObjectsV2, removeObject, removeObjects, and a missing object's error code", async () => {
      for (const k of ["l/1", "l/2", "l/3"]) await client.putObject(bucket, k, Buffer.from(k));
      expect(await listNames(client, bucket, "l/")).toEqual(["l/1", "l/2", "l/3"]);
      await client.removeObject(bucket, "l/1");
      await client.removeObjects(bucket, ["l/2", "l/3"]);
      expect(await listNames(client, bucket, "l/")).toEqual([]);
      let code = "";
      try {
        await client.statObject(bucket, "l/1");
      } catch (err) {
        code = (err as { code?: string }).code ?? "";
      }
      expect(code).toBe("NotFound");
    });

    test("presignedPutObject and presignedGetObject work with plain fetch", async () => {
      const putUrl = await client.presignedPutObject(bucket, "pre/signed.txt", 300);
      expect((await fetch(putUrl, { method: "PUT", body: "presigned by minio-js" })).status).toBe(200);
      const getUrl = await client.presignedGetObject(bucket, "pre/signed.txt", 300);
      const res = await fetch(getUrl);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("presigned by minio-js");
    });
  });
}

describe("minio-js big transfer on 4 drives", () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer({ drives: 4 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("fPutObject of 70 MiB goes multipart; fGetObject returns the same bytes", async () => {
    const client = clientFor(server);
    const bucket = bucketName("minio-big");
    await client.makeBucket(bucket, REGION);
    const work = tempDir();
    const src = join(work, "70m.bin");
    await writeRandomFile(src, 70 * 1024 * 1024, 70);
    const put = await client.fPutObject(bucket, "big/70m.bin", src, {});
    expect(put.etag).toMatch(/-2$/);
    const back = join(work, "back.bin");
    await client.fGetObject(bucket, "big/70m.bin", back);
    expect(await md5File(back)).toBe(await md5File(src));
  }, 120_000);
});
