import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerFsSync } from "./fs-sync";
import { createInNewDir, DirSyncs, fsyncDir, mkdirDurable, PositionedFile, readAt, renameDurable, writeFileSynced } from "./fsutil";
import { promiseState } from "../../test/promise-state";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cairn-fsutil-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

test("mkdirDurable lists the new directories and the parent whose entry changed", async () => {
  expect(await mkdirDurable(join(dir, "a/b/c"))).toEqual([join(dir, "a/b/c"), join(dir, "a/b"), join(dir, "a"), dir]);
  expect(await mkdirDurable(join(dir, "a/b/c"))).toEqual([]);
  expect(await mkdirDurable(join(dir, "a/x"))).toEqual([join(dir, "a/x"), join(dir, "a")]);
});

test("renameDurable retries when the target directory is pruned between mkdir and rename", async () => {
  const src = join(dir, "src");
  await writeFile(src, "payload");
  let attempts = 0;
  const prunedOnce = async (d: string) => {
    const created = await mkdirDurable(d);
    if (attempts++ === 0) await rm(join(dir, "p"), { recursive: true }); // a concurrent delete's prune
    return created;
  };
  await renameDurable(src, join(dir, "p/q/dst"), prunedOnce);
  expect(attempts).toBe(2);
  expect(await readFile(join(dir, "p/q/dst"), "utf8")).toBe("payload");
  expect(existsSync(src)).toBe(false);
});

test("writeFileSynced and readAt round trip; readAt stops at end of file", async () => {
  const data = new Uint8Array(10_000).map((_, i) => i % 251);
  await writeFileSynced(join(dir, "f"), data);
  expect([...(await readAt(join(dir, "f"), 9_990, 10))]).toEqual([...data.subarray(9_990)]);
  expect((await readAt(join(dir, "f"), 9_995, 10)).length).toBe(5);
});

test("a burst of concurrent fsyncs of one directory all resolve", async () => {
  const results = await Promise.allSettled(Array.from({ length: 64 }, () => fsyncDir(dir)));
  expect(results.every((r) => r.status === "fulfilled")).toBe(true);
});

test("fsyncs of a missing directory each fail with ENOENT; once it exists, fsync succeeds", async () => {
  const later = join(dir, "later");
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => fsyncDir(later)));
  for (const r of results) {
    expect(r.status).toBe("rejected");
    expect((r as PromiseRejectedResult).reason.code).toBe("ENOENT");
  }
  mkdirSync(later);
  await fsyncDir(later);
});

/** An fsync stand-in that records each call and finishes only when told to. */
function manualSyncs() {
  const calls: { path: string; finish: (err?: Error) => void }[] = [];
  const syncs = new DirSyncs(
    (path) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ path, finish: (err) => (err ? reject(err) : resolve()) });
      }),
  );
  return { calls, syncs };
}

test("DirSyncs: a request made during a running fsync is answered by a later fsync, never the running one", async () => {
  const { calls, syncs } = manualSyncs();
  const first = syncs.sync("/d");
  const late = [syncs.sync("/d"), syncs.sync("/d"), syncs.sync("/d")];
  expect(calls.length).toBe(1);
  calls[0]!.finish();
  await first;
  for (const p of late) expect(await promiseState(p)).toBe("pending"); // the running fsync began before them
  await Bun.sleep(0);
  expect(calls.length).toBe(2); // one more fsync answers all three
  calls[1]!.finish();
  await Promise.all(late);
  expect(calls.length).toBe(2);
});

test("DirSyncs: other directories are not folded, and an idle directory starts a fresh fsync", async () => {
  const { calls, syncs } = manualSyncs();
  const a = syncs.sync("/a");
  const b = syncs.sync("/b");
  expect(calls.map((c) => c.path)).toEqual(["/a", "/b"]);
  calls[0]!.finish();
  calls[1]!.finish();
  await Promise.all([a, b]);
  const again = syncs.sync("/a");
  expect(calls.length).toBe(3);
  calls[2]!.finish();
  await again;
});

test("DirSyncs: a failed fsync fails only its own requests; those waiting get their own fsync", async () => {
  const { calls, syncs } = manualSyncs();
  const first = syncs.sync("/d");
  const waiting = syncs.sync("/d");
  calls[0]!.finish(Object.assign(new Error("gone"), { code: "ENOENT" }));
  await expect(first).rejects.toMatchObject({ code: "ENOENT" });
  await Bun.sleep(0);
  expect(calls.length).toBe(2);
  calls[1]!.finish();
  await waiting;
});

test("createInNewDir makes the dir and the file in one job, and changes nothing when its premises fail", async () => {
  const root = await realpath(dir);
  expect(await registerFsSync(root)).toBe(true);
  const data = new Uint8Array([1, 2, 3]);
  expect(await createInNewDir(join(root, "k/f"), data, root, root)).toBe(true);
  expect(new Uint8Array(await readFile(join(root, "k/f")))).toEqual(data);
  // The dir exists already: maybe another key's, maybe a planted link; the caller's checks decide.
  expect(await createInNewDir(join(root, "k/g"), data, root, root)).toBe(false);
  // The parent is missing.
  expect(await createInNewDir(join(root, "none/k/f"), data, join(root, "none"), join(root, "none"))).toBe(false);
  // The parent resolves elsewhere than the caller expects (a symlink below the root).
  mkdirSync(join(root, "elsewhere"));
  symlinkSync(join(root, "elsewhere"), join(root, "link"));
  expect(await createInNewDir(join(root, "link/k/f"), data, join(root, "link"), join(root, "link"))).toBe(false);
  expect(readdirSync(root).sort()).toEqual(["elsewhere", "k", "link"]);
  expect(readdirSync(join(root, "k"))).toEqual(["f"]);
  expect(readdirSync(join(root, "elsewhere"))).toEqual([]);
});

test("PositionedFile reads at offsets into the caller's buffer, short only at end of file, and writes no access time", async () => {
  const [read, control] = ["read", "control"].map((n) => {
    const file = join(dir, n);
    writeFileSync(file, "0123456789");
    // Under relatime, an atime older than the mtime is updated by the next read.
    utimesSync(file, new Date(Date.now() - 3_600_000), new Date());
    return file;
  }) as [string, string];
  const before = statSync(read).atimeMs;
  const f = await PositionedFile.open(read);
  const into = new Uint8Array(4);
  expect(await f.readInto(3, into)).toBe(4);
  expect(new TextDecoder().decode(into)).toBe("3456");
  expect(await f.readInto(8, into)).toBe(2);
  expect(new TextDecoder().decode(into.subarray(0, 2))).toBe("89");
  await f.close();
  readFileSync(control);
  if (statSync(control).atimeMs === before) {
    console.warn("atime part skipped: this filesystem does not update access times on read (noatime)");
    return;
  }
  expect(statSync(read).atimeMs).toBe(before);
});
