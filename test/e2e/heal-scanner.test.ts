/**
 * The server's background heal pass: an object that lost its shard and xl.meta on one drive is
 * rebuilt there without anyone reading it (CAIRN_HEAL_INTERVAL_MS shortens the 24 h default).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ACCESS_KEY, bucketName, cleanupTemp, pseudoRandom, REGION, SECRET_KEY, startServer, type ServerHandle } from "./harness";

let server: ServerHandle;
let s3: S3Client;
const bucket = bucketName("heal");

beforeAll(async () => {
  server = await startServer({ drives: 4, env: { CAIRN_HEAL_INTERVAL_MS: "300" } });
  s3 = new S3Client({
    endpoint: server.url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
  cleanupTemp();
});

async function eventually(cond: () => boolean): Promise<boolean> {
  // Bounded generously for a loaded test machine; this is not a speed check.
  for (const until = Date.now() + 60_000; Date.now() < until; await Bun.sleep(100)) if (cond()) return true;
  return cond();
}

test("a key wiped from one drive comes back on that drive with no read of it", async () => {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "big", Body: pseudoRandom(1_300_000, 3) }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "dir/small", Body: "inline bytes" }));
  const wiped = server.drives[1]!;
  for (const key of ["big", "dir"]) rmSync(join(wiped, bucket, key), { recursive: true, force: true });
  const metaOf = (key: string) => join(wiped, bucket, key, "~xl.meta");
  expect(await eventually(() => existsSync(metaOf("big")) && existsSync(metaOf("dir/small")))).toBe(true);
  // The rebuilt xl.meta is this drive's own (its shard's index), not a copy of a neighbour's.
  const own = readFileSync(metaOf("big"));
  const neighbour = readFileSync(join(server.drives[0]!, bucket, "big", "~xl.meta"));
  expect(own.equals(neighbour)).toBe(false);
});
