/**
 * The server re-executes itself once (same PID) with MIMALLOC_PURGE_DELAY and UV_THREADPOOL_SIZE
 * set, because the allocator and Bun read them only at start-up; a value the user set is left alone.
 */
import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { cleanupTemp, startServer } from "./harness";
import { sdkClient } from "./sdk-client";

afterAll(() => cleanupTemp());

function environOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter((e) => e.includes("="));
  return new Map(entries.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim());
}

test("the running server (the spawned PID itself) has the allocator's purge delay and more than Bun's two async fs threads", async () => {
  const server = await startServer({ drives: 4 });
  try {
    const env = environOf(server.proc.pid);
    expect(env.get("MIMALLOC_PURGE_DELAY")).toBe("1000");
    expect(env.get("UV_THREADPOOL_SIZE")).toBe("8");
    expect((await fetch(`${server.url}/minio/health/live`)).status).toBe(200);
    // Bun starts its pool threads as work arrives: uploads' shard writes, four drives each, use them.
    const s3 = sdkClient(server);
    await s3.send(new CreateBucketCommand({ Bucket: "threads" }));
    const body = new Uint8Array(2 << 20).fill(7);
    await Promise.all([1, 2, 3, 4].map((i) => s3.send(new PutObjectCommand({ Bucket: "threads", Key: `k${i}`, Body: body }))));
    expect(threadNames(server.proc.pid).filter((n) => n.startsWith("Bun Pool")).length).toBeGreaterThan(2);
  } finally {
    await server.stop();
  }
});

test("values the user chose are kept", async () => {
  const server = await startServer({ drives: 1, env: { MIMALLOC_PURGE_DELAY: "250", UV_THREADPOOL_SIZE: "3" } });
  try {
    const env = environOf(server.proc.pid);
    expect(env.get("MIMALLOC_PURGE_DELAY")).toBe("250");
    expect(env.get("UV_THREADPOOL_SIZE")).toBe("3");
  } finally {
    await server.stop();
  }
});
