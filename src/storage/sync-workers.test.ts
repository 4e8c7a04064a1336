import { afterEach, beforeEach, expect, test } from "bun:test";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SyncJobError, SyncWorkers, syncWorkers } from "./sync-workers";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cairn-syncw-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("a write job leaves the whole file on disk; an fsync job of a directory succeeds", async () => {
  const pool = new SyncWorkers(2);
  const data = new Uint8Array(300_000).map((_, i) => i % 253);
  await pool.run({ op: "write", path: join(dir, "f"), data });
  await pool.run({ op: "fsync", path: dir });
  expect(new Uint8Array(readFileSync(join(dir, "f")))).toEqual(data);
  expect(pool.started).toBeGreaterThan(0);
});

test("a write job truncates an existing file", async () => {
  writeFileSync(join(dir, "f"), "a much longer previous content");
  await new SyncWorkers(1).run({ op: "write", path: join(dir, "f"), data: new TextEncoder().encode("new") });
  expect(readFileSync(join(dir, "f"), "utf8")).toBe("new");
});

test("failures come back as SyncJobError with the errno code the drive maps", async () => {
  const pool = new SyncWorkers(2);
  const missing = pool.run({ op: "fsync", path: join(dir, "nope") });
  await expect(missing).rejects.toBeInstanceOf(SyncJobError);
  await expect(missing).rejects.toMatchObject({ code: "ENOENT" });
  const intoFile = pool.run({ op: "write", path: join(dir, "nope/f"), data: new Uint8Array(1) });
  await expect(intoFile).rejects.toMatchObject({ code: "ENOENT" });
  writeFileSync(join(dir, "file"), "x");
  await expect(pool.run({ op: "write", path: join(dir, "file/f"), data: new Uint8Array(1) })).rejects.toMatchObject({ code: "ENOTDIR" });
});

test("more jobs than workers all complete, and no more workers start than the width", async () => {
  const pool = new SyncWorkers(3);
  const jobs = Array.from({ length: 40 }, (_, i) =>
    pool.run({ op: "write", path: join(dir, `f${i}`), data: new TextEncoder().encode(`content ${i}`) }),
  );
  await Promise.all(jobs);
  expect(pool.started).toBe(3);
  for (let i = 0; i < 40; i++) expect(readFileSync(join(dir, `f${i}`), "utf8")).toBe(`content ${i}`);
});

test("a failed job does not stop the worker that ran it", async () => {
  const pool = new SyncWorkers(1);
  await expect(pool.run({ op: "fsync", path: join(dir, "nope") })).rejects.toMatchObject({ code: "ENOENT" });
  await pool.run({ op: "write", path: join(dir, "after"), data: new Uint8Array([1, 2, 3]) });
  expect([...readFileSync(join(dir, "after"))]).toEqual([1, 2, 3]);
  expect(pool.started).toBe(1);
});

// Skipped where CAIRN_FS_WORKERS is set: then the width is the caller's choice, not the default.
test.skipIf(process.env.CAIRN_FS_WORKERS !== undefined)("the process's pool is on by default and wider than Bun's fs pool", () => {
  expect(syncWorkers()?.width).toBeGreaterThan(2);
});

test("a hung drive holds at most half the workers; another drive's jobs still complete", async () => {
  const pool = new SyncWorkers(4);
  const [hung, ok] = [join(dir, "hung"), join(dir, "ok")];
  for (const d of [hung, ok]) mkdirSync(d);
  pool.addLane(hung);
  pool.addLane(ok);
  // Opening a FIFO for reading blocks until someone opens it for writing: a stuck syscall.
  const fifo = join(hung, "fifo");
  expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
  const stuck = Array.from({ length: 4 }, () => pool.run({ op: "fsync", path: fifo }).catch((e) => e.code));
  await pool.run({ op: "write", path: join(ok, "f"), data: new Uint8Array([7]) });
  await pool.run({ op: "fsync", path: ok });
  expect(pool.started).toBe(3); // two stuck on the hung drive, one for the healthy one
  const release = openSync(fifo, "r+"); // Linux: O_RDWR on a FIFO opens without waiting
  try {
    expect(await Promise.all(stuck)).toEqual(["EINVAL", "EINVAL", "EINVAL", "EINVAL"]); // fsync of a pipe
  } finally {
    closeSync(release);
  }
});
