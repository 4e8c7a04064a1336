/** fsyncDir's sharing of concurrent calls: every caller gets the outcome of an fsync that began after it called. */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fsyncDir } from "./fsutil";

const root = mkdtempSync(join(tmpdir(), "cairn-fsync-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("a burst of fsyncs of one directory all resolve", async () => {
  const dir = join(root, "burst");
  mkdirSync(dir);
  const results = await Promise.allSettled(Array.from({ length: 64 }, () => fsyncDir(dir)));
  expect(results.every((r) => r.status === "fulfilled")).toBe(true);
});

test("every caller of a failing shared fsync sees the failure, and the next call starts afresh", async () => {
  const dir = join(root, "later");
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => fsyncDir(dir)));
  for (const r of results) {
    expect(r.status).toBe("rejected");
    expect((r as PromiseRejectedResult).reason.code).toBe("ENOENT");
  }
  mkdirSync(dir);
  await fsyncDir(dir);
});
