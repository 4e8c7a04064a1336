/**
 * The server re-executes itself once (same PID) with MIMALLOC_PURGE_DELAY set, because the
 * allocator reads it only at start-up; a value the user set is left alone.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { cleanupTemp, startServer } from "./harness";

afterAll(() => cleanupTemp());

function environOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter((e) => e.includes("="));
  return new Map(entries.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

test("the running server (the spawned PID itself) has the allocator's purge delay set", async () => {
  const server = await startServer({ drives: 1 });
  try {
    expect(environOf(server.proc.pid).get("MIMALLOC_PURGE_DELAY")).toBe("1000");
    expect((await fetch(`${server.url}/minio/health/live`)).status).toBe(200);
  } finally {
    await server.stop();
  }
});

test("a purge delay the user chose is kept", async () => {
  const server = await startServer({ drives: 1, env: { MIMALLOC_PURGE_DELAY: "250" } });
  try {
    expect(environOf(server.proc.pid).get("MIMALLOC_PURGE_DELAY")).toBe("250");
  } finally {
    await server.stop();
  }
});
