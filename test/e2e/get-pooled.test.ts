/**
 * GET streams read shard frames into pooled buffers that go back to the pool once the socket
 * has sent the bytes (decode-stream.ts, lib/chunk-release.ts, server/listener.ts). Here a real
 * server on 4 drives serves many multi-block objects at once to fast and slow readers: a slow
 * reader fills the socket, so Bun holds written chunks unsent; a buffer reused before the send
 * would put another object's bytes in its body. Every body must come back exactly.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { bucketName, cleanupTemp, pseudoRandom, startServer } from "./harness";
import { sdkClient } from "./sdk-client";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

afterAll(cleanupTemp);

const OBJECTS = 4;
const SIZE = 16 * (1 << 20) + 12_345; // more than loopback socket buffers hold; the last block short

function md5(data: Uint8Array): string {
  return new Bun.CryptoHasher("md5").update(data).digest("hex");
}

/** The body, read with a pause after every chunk when `slow` (the socket backs up meanwhile). */
async function readBody(body: ReadableStream<Uint8Array>, slow: boolean): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of body) {
    parts.push(chunk.slice());
    if (slow) await Bun.sleep(4);
  }
  return Buffer.concat(parts);
}

test("concurrent GETs of different objects by fast and slow readers each get their own bytes, whole and ranged", async () => {
  const server = await startServer({ drives: 4 });
  try {
    const s3 = sdkClient(server);
    const bucket = bucketName("pooled");
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const data = Array.from({ length: OBJECTS }, (_, i) => pseudoRandom(SIZE, 100 + i));
    for (const [i, body] of data.entries()) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `o${i}`, Body: body }));
    }
    const gets = Array.from({ length: 3 * OBJECTS }, async (_, n) => {
      const i = n % OBJECTS;
      const ranged = n % 3 === 2;
      const range = ranged ? { start: 700_000, end: SIZE - 1_000 } : null;
      const out = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: `o${i}`, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const got = await readBody(out.Body!.transformToWebStream(), n % 2 === 1);
      const want = range ? data[i]!.subarray(range.start, range.end + 1) : data[i]!;
      return { n, ok: got.length === want.length && md5(got) === md5(want) };
    });
    const results = await Promise.all(gets);
    expect(results.filter((r) => !r.ok).map((r) => r.n)).toEqual([]);
  } finally {
    await server.stop();
  }
});
