/**
 * Drop-in for a MinIO container: Cairn started exactly as the testcontainers MinIO module starts
 * the MinIO image (`server --console-address :9001 /data`, MINIO_ROOT_USER / MINIO_ROOT_PASSWORD,
 * an HTTP wait on /minio/health/live and nothing else), then the code such tests run: minio-js
 * and the AWS SDK with those credentials. A second start uses the image's other knobs
 * (`minio server`, MINIO_VOLUMES, MINIO_OPTS and the legacy MINIO_ACCESS_KEY / MINIO_SECRET_KEY).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import * as Minio from "minio";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { CAIRN, spawnCairn, waitForHttp200, type Spawned } from "./cairn-exe";
import { cleanupTemp, freePorts, REGION, tempDir } from "./harness";

setDefaultTimeout(120_000);
afterAll(cleanupTemp);

/** Not minioadmin: a server that ignored the variables would fail every request. */
const USER = "AzureDiamond";
const PASSWORD = "hunter2-dropin!";

function minioClient(port: number, accessKey = USER, secretKey = PASSWORD): Minio.Client {
  return new Minio.Client({ endPoint: "127.0.0.1", port, useSSL: false, accessKey, secretKey });
}

function sdkClient(url: string, accessKeyId = USER, secretAccessKey = PASSWORD): S3Client {
  return new S3Client({ endpoint: url, region: REGION, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
}

async function text(stream: Readable): Promise<string> {
  let s = "";
  for await (const chunk of stream) s += String(chunk);
  return s;
}

describe(`testcontainers-style start of ${CAIRN.kind}`, () => {
  let server: Spawned;
  let url: string;
  let port: number;

  beforeAll(async () => {
    let consolePort: number;
    [port, consolePort] = freePorts(2) as [number, number];
    // The container's /data: a path that does not exist yet, created on first start as MinIO does.
    const data = join(tempDir("cairn-dropin-"), "data");
    server = spawnCairn(["server", "--console-address", `:${consolePort}`, data], {
      MINIO_ROOT_USER: USER,
      MINIO_ROOT_PASSWORD: PASSWORD,
      // The container maps 9000 to a random host port; here the port moves instead.
      MINIO_ADDRESS: `127.0.0.1:${port}`,
    });
    url = `http://127.0.0.1:${port}`;
    const liveMs = await waitForHttp200(`${url}/minio/health/live`, server);
    console.log(`dropin: ${CAIRN.kind}: spawn to /minio/health/live 200: ${liveMs.toFixed(0)} ms`);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  test("right after the wait: minio-js makes a bucket (the module's own test), puts, gets, lists, stats", async () => {
    const client = minioClient(port);
    await client.makeBucket("test-bucket");
    expect(await client.bucketExists("test-bucket")).toBe(true);
    await client.putObject("test-bucket", "minio-test-file.txt", Buffer.from("hello from a test"));
    expect(await text(await client.getObject("test-bucket", "minio-test-file.txt"))).toBe("hello from a test");
    expect((await client.statObject("test-bucket", "minio-test-file.txt")).size).toBe(17);
    const names: string[] = [];
    for await (const item of client.listObjectsV2("test-bucket", "", true)) if (item.name) names.push(item.name);
    expect(names).toEqual(["minio-test-file.txt"]);
  });

  test("minio-js presigned GET and PUT URLs work with plain fetch", async () => {
    const client = minioClient(port);
    await client.makeBucket("presigned");
    const putUrl = await client.presignedPutObject("presigned", "up.txt", 300);
    expect((await fetch(putUrl, { method: "PUT", body: "uploaded by url" })).status).toBe(200);
    const getUrl = await client.presignedGetObject("presigned", "up.txt", 300);
    const res = await fetch(getUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("uploaded by url");
  });

  test("the AWS SDK with the same credentials: create, put, get, list, presigned GET", async () => {
    const s3 = sdkClient(url);
    await s3.send(new CreateBucketCommand({ Bucket: "sdk-bucket" }));
    await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "a/b.txt", Body: "sdk body" }));
    const got = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "a/b.txt" }));
    expect(await got.Body!.transformToString()).toBe("sdk body");
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "sdk-bucket" }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["a/b.txt"]);
    const signed = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "sdk-bucket", Key: "a/b.txt" }), { expiresIn: 300 });
    expect(await (await fetch(signed)).text()).toBe("sdk body");
  });

  test("health endpoints answer as MinIO's: 200 with an empty body for GET and HEAD", async () => {
    for (const path of ["live", "ready", "cluster", "cluster/read"]) {
      for (const method of ["GET", "HEAD"]) {
        const res = await fetch(`${url}/minio/health/${path}`, { method });
        expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 200`);
        expect(await res.text()).toBe("");
      }
    }
    expect((await fetch(`${url}/minio/health/nonsense`)).status).toBe(404);
  });

  test("wrong credentials: InvalidAccessKeyId for an unknown user, SignatureDoesNotMatch for a wrong password", async () => {
    const codeOf = (p: Promise<unknown>) => p.then(() => "no error", (e: { code?: string; name?: string }) => e.code ?? e.name);
    expect(await codeOf(minioClient(port, "minioadmin", "minioadmin").listBuckets())).toBe("InvalidAccessKeyId");
    expect(await codeOf(minioClient(port, USER, "not-the-password").listBuckets())).toBe("SignatureDoesNotMatch");
    const wrongUser = sdkClient(url, "minioadmin", "minioadmin").send(new ListObjectsV2Command({ Bucket: "sdk-bucket" }));
    expect(await codeOf(wrongUser)).toBe("InvalidAccessKeyId");
    const wrongPassword = sdkClient(url, USER, "not-the-password").send(new ListObjectsV2Command({ Bucket: "sdk-bucket" }));
    expect(await codeOf(wrongPassword)).toBe("SignatureDoesNotMatch");
  });
});

test(`the image's other knobs: 'minio server', MINIO_VOLUMES, MINIO_OPTS, MINIO_ACCESS_KEY/MINIO_SECRET_KEY (${CAIRN.kind})`, async () => {
  const [port, consolePort] = freePorts(2);
  const root = tempDir("cairn-dropin-volumes-");
  const server = spawnCairn(["minio", "server"], {
    MINIO_VOLUMES: `${root}/disk{1...4}`,
    MINIO_OPTS: `--address 127.0.0.1:${port} --console-address 127.0.0.1:${consolePort}`,
    MINIO_ACCESS_KEY: "legacy-access",
    MINIO_SECRET_KEY: "legacy-secret-key",
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp200(`${url}/minio/health/live`, server);
    const s3 = sdkClient(url, "legacy-access", "legacy-secret-key");
    await s3.send(new CreateBucketCommand({ Bucket: "from-compose" }));
    await s3.send(new PutObjectCommand({ Bucket: "from-compose", Key: "k", Body: "v" }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: "from-compose", Key: "k" }))).Body!.transformToString()).toBe("v");
    expect(server.stdout()).toContain("Drives: 4");
  } finally {
    expect(await server.stop()).toBe(0);
  }
});
