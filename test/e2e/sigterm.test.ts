/**
 * SIGTERM during uploads, on 4 drives: an upload still streaming when the signal arrives finishes
 * if it completes within the shutdown bound; one that stalls past it is cut and leaves nothing
 * visible. After a restart on the same drives every acknowledged object reads back intact.
 */
import {
  CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { Readable } from "node:stream";
import { bucketName, cleanupTemp, pseudoRandom, startServer, type ServerHandle } from "./harness";
import { sdkClient } from "./sdk-client";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

afterAll(cleanupTemp);

const client = sdkClient;

function md5(data: Uint8Array): string {
  return new Bun.CryptoHasher("md5").update(data).digest("hex");
}

/** Sends `head`, then waits for `gate` before sending `tail` (or forever, when gate never settles). */
function gatedStream(head: Uint8Array, tail: Uint8Array, gate: Promise<void>): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.from(head);
      await gate;
      yield Buffer.from(tail);
    })(),
  );
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return false;
    throw err;
  }
}

/** Polls the server's own gauge until it is serving `n` requests besides the scrape. */
async function waitInFlight(server: ServerHandle, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const text = await (await fetch(`${server.url}/cairn/metrics`)).text();
    const m = /cairn_s3_requests_in_flight (\d+)/.exec(text);
    if (m && Number(m[1]) >= n) return;
    await Bun.sleep(50);
  }
  throw new Error(`the server never saw ${n} request(s) in flight`);
}

async function waitForOutput(server: ServerHandle, text: string): Promise<void> {
  for (let i = 0; i < 500 && !server.output().includes(text); i++) await Bun.sleep(10);
}

test("SIGTERM: in-flight upload finishes, a stalled one leaves nothing, acknowledged objects survive a restart", async () => {
  const bucket = bucketName("sigterm");
  const acked = new Map<string, string>();

  // Run 1: acknowledged objects, then an upload that is mid-stream when SIGTERM arrives.
  let server = await startServer({ drives: 4, env: { CAIRN_SHUTDOWN_TIMEOUT_MS: "10000" } });
  const drives = server.drives;
  let s3 = client(server);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (let i = 0; i < 3; i++) {
    const data = pseudoRandom(200_000 + i * 1_000_000, 30 + i);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `acked/${i}`, Body: Buffer.from(data) }));
    acked.set(`acked/${i}`, md5(data));
  }
  const inflight = pseudoRandom(3 * 1024 * 1024, 40);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const put = s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: "inflight",
      Body: gatedStream(inflight.subarray(0, 1 << 20), inflight.subarray(1 << 20), gate),
      ContentLength: inflight.length,
    }),
  );
  // SIGTERM only once the server has the request: earlier, it is not in flight but still queued.
  await waitInFlight(server, 1);
  server.terminate();
  await waitForOutput(server, "SIGTERM");
  open();
  await put;
  acked.set("inflight", md5(inflight));
  expect(await server.stop()).toBe(0);
  s3.destroy();

  // Run 2: an upload that stalls past the shutdown bound is cut off.
  server = await startServer({ drives, env: { CAIRN_SHUTDOWN_TIMEOUT_MS: "500" } });
  s3 = client(server);
  const stalled = s3
    .send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "stalled",
        Body: gatedStream(pseudoRandom(1 << 20, 50), new Uint8Array(10), new Promise(() => {})),
        ContentLength: (1 << 20) + 10,
      }),
    )
    .then(() => "stored", () => "failed");
  await waitInFlight(server, 1);
  expect(await server.stop()).toBe(0);
  expect(await stalled).toBe("failed");
  s3.destroy();

  // Run 3: nothing partial is visible; everything acknowledged is intact.
  server = await startServer({ drives });
  s3 = client(server);
  try {
    expect(await exists(s3, bucket, "stalled")).toBe(false);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([...acked.keys()].sort());
    for (const [key, sum] of acked) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(`${key} ${md5(await got.Body!.transformToByteArray())}`).toBe(`${key} ${sum}`);
    }
  } finally {
    s3.destroy();
    await server.stop();
  }
}, 120_000);
