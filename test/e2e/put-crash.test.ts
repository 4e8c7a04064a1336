/**
 * A server SIGKILLed while 32 clients PUT new keys (the path that writes xl.meta in place, see
 * src/storage/meta-write.ts, and the bigger bodies that still go temp + rename), then restarted
 * on the same drives: every acknowledged key reads back exactly, every other key is either
 * complete or NoSuchKey (never a quorum error, never different bytes), and the listing shows
 * exactly the readable keys.
 */
import { afterAll, expect, test } from "bun:test";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bucketName, cleanupTemp, startServer, type ServerHandle } from "./harness";
import { sdkError } from "../sdk-errors";
import { sdkClient } from "./sdk-client";

afterAll(cleanupTemp);

const ROUNDS = 3;
const CLIENTS = 32;
const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

const client = sdkClient;

/** Bodies of 1-6 KiB: their xl.meta is below and above one page. */
function body(): Uint8Array {
  const b = new Uint8Array(1024 + Math.floor(Math.random() * 5 * 1024));
  crypto.getRandomValues(b);
  return b;
}

interface Round {
  started: Map<string, string>; // key → md5 of the body sent
  acked: Set<string>;
}

/** PUTs fresh keys from CLIENTS loops until the server is killed at a random moment. */
async function putUntilKilled(server: ServerHandle, bucket: string, round: number): Promise<Round> {
  const s3 = client(server);
  const r: Round = { started: new Map(), acked: new Set() };
  let killed = false;
  const loops = Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; !killed; i++) {
      const key = `r${round}/c${c}/k${i}`;
      const b = body();
      r.started.set(key, md5(b));
      try {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: b }));
        if (!killed) r.acked.add(key); // an answer read after the kill may be a torn response
      } catch {
        return; // the server is gone
      }
    }
  });
  while (r.acked.size < 40) await Bun.sleep(5);
  await Bun.sleep(Math.random() * 200);
  killed = true;
  server.proc.kill("SIGKILL");
  await server.proc.exited;
  await Promise.all(loops);
  s3.destroy();
  return r;
}

async function checkAfterRestart(server: ServerHandle, bucket: string, r: Round): Promise<number> {
  const s3 = client(server);
  const readable = new Set<string>();
  for (const [key, sum] of r.started) {
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect({ key, md5: md5(await res.Body!.transformToByteArray()) }).toEqual({ key, md5: sum });
      readable.add(key);
    } catch (e) {
      if (!(e instanceof Error && e.name === "NoSuchKey")) throw e;
      expect({ key, acked: r.acked.has(key) }).toEqual({ key, acked: false });
    }
  }
  const prefix = [...r.started.keys()][0]!.split("/")[0] + "/";
  const listed: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    listed.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  expect(listed.sort()).toEqual([...readable].sort());
  // The key that never existed still answers NoSuchKey (the layer is sound after the restart).
  expect((await sdkError(s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}never` })))).name).toBe("NoSuchKey");
  s3.destroy();
  return readable.size;
}

test(`SIGKILL during concurrent PUTs of new keys: acknowledged keys survive, others are whole or absent (${ROUNDS} rounds)`, async () => {
  let server = await startServer({ drives: 4 });
  const bucket = bucketName("crash");
  await client(server).send(new CreateBucketCommand({ Bucket: bucket }));
  const drives = server.drives;
  let acked = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const r = await putUntilKilled(server, bucket, round);
      server = await startServer({ drives });
      const readable = await checkAfterRestart(server, bucket, r);
      expect(readable).toBeGreaterThanOrEqual(r.acked.size);
      acked += r.acked.size;
    }
  } finally {
    await server.stop().catch(() => server.proc.kill("SIGKILL"));
  }
  console.log(`put crash test: ${ROUNDS} kills, ${acked} acknowledged PUTs checked`);
}, 120_000);

test("an empty xl.meta on every drive (a kill between create and write) reads as NoSuchKey, is not listed, and a PUT replaces it", async () => {
  const server = await startServer({ drives: 4 });
  const s3 = client(server);
  try {
    const bucket = bucketName("torn");
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const d of server.drives) {
      mkdirSync(join(d, bucket, "torn"));
      writeFileSync(join(d, bucket, "torn", "~xl.meta"), "");
    }
    expect(await sdkError(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "torn" })))).toEqual({ name: "NoSuchKey", status: 404 });
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
    const b = body();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "torn", Body: b }));
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "torn" }));
    expect(md5(await res.Body!.transformToByteArray())).toBe(md5(b));
  } finally {
    s3.destroy();
    await server.stop();
  }
}, 60_000);
