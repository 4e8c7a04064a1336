/**
 * Group sync: who is answered by which syncfs, what a failure takes down, which drives get it,
 * and that a durable create under it waits for a syncfs that started once the file was written.
 * Real temp dirs and the real worker pool; the controllable FsSync only stands in for the kernel
 * call where a test must decide when it returns.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attachFsSync, FsSync, fsSyncOf, registerFsSync, setDirtyProbe } from "./fs-sync";
import { createFileDurable, fsyncDir, writeFileSynced } from "./fsutil";
import { SyncJobError, syncWorkers } from "./sync-workers";
import { promiseState } from "../../test/promise-state";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-fssync-"));
  // Group sync steps aside while much is dirty (earlier test files may leave that behind):
  // these tests need it on, except the one that sets the reading itself.
  setDirtyProbe(() => 0);
});
afterEach(async () => {
  setDirtyProbe(null);
  await rm(root, { recursive: true, force: true });
});

/** A syncfs the test finishes by hand; `calls` records what each call saw when it started. */
function manualSyncfs(onStart: () => void = () => {}) {
  const calls: { finish: (err?: Error) => void }[] = [];
  const sync = new FsSync(
    () =>
      new Promise<void>((resolve, reject) => {
        onStart();
        calls.push({ finish: (err) => (err ? reject(err) : resolve()) });
      }),
  );
  return { sync, calls };
}

/** With no syncfs running, a request starts its own at once and is answered when that ends. */
async function expectFreshSyncfs({ sync, calls }: ReturnType<typeof manualSyncfs>): Promise<void> {
  const before = calls.length;
  const request = sync.sync();
  expect(calls.length).toBe(before + 1);
  calls[before]!.finish();
  await request;
}

test("a request made while a syncfs runs is answered by the next one, which all such requests share", async () => {
  const manual = manualSyncfs();
  const { sync, calls } = manual;
  const first = sync.sync();
  const during = [sync.sync(), sync.sync(), sync.sync()];
  expect(calls.length).toBe(1);
  calls[0]!.finish();
  await first;
  // The running call may have started before these writes: it must not answer them.
  expect(await promiseState(during[0]!)).toBe("pending");
  expect(calls.length).toBe(2);
  calls[1]!.finish();
  await Promise.all(during);
  expect(calls.length).toBe(2);
  await expectFreshSyncfs(manual);
});

test("a failed syncfs fails its waiters and those that queued while it ran; the next request starts afresh", async () => {
  const manual = manualSyncfs();
  const { sync, calls } = manual;
  const first = sync.sync();
  const queued = sync.sync();
  const eio = new SyncJobError("EIO", "EIO: syncfs failed");
  calls[0]!.finish(eio);
  expect(await first.catch((e: unknown) => e)).toBe(eio);
  // Their writeback may have failed inside the failed call, whose report is now consumed.
  expect(await queued.catch((e: unknown) => e)).toBe(eio);
  expect(calls.length).toBe(1);
  await expectFreshSyncfs(manual);
});

test("a durable create under group sync is answered only by a syncfs that started once the file was written", async () => {
  const path = join(root, "k/~xl.meta");
  const seen: boolean[] = [];
  const { sync, calls } = manualSyncfs(() => seen.push(existsSync(path) && readFileSync(path).length === 3));
  attachFsSync(root, sync);
  await Bun.write(join(root, "k/.keep"), "");
  const done = createFileDurable(path, new Uint8Array([1, 2, 3]), [join(root, "k")]);
  while (calls.length === 0) await Bun.sleep(1);
  expect(seen).toEqual([true]);
  expect(await promiseState(done)).toBe("pending");
  calls[0]!.finish();
  await done;
  expect(calls.length).toBe(1); // the file and its dirs: one syncfs, not three fsyncs
});

test("a failed group sync fails the create and removes the file, as a failed fsync does", async () => {
  const path = join(root, "~xl.meta");
  const { sync, calls } = manualSyncfs();
  attachFsSync(root, sync);
  const done = createFileDurable(path, new Uint8Array([9]), [root]);
  while (calls.length === 0) await Bun.sleep(1);
  calls[0]!.finish(new SyncJobError("EIO", "EIO: syncfs failed"));
  const err = await done.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SyncJobError);
  expect((err as SyncJobError).code).toBe("EIO");
  expect(existsSync(path)).toBe(false);
});

test("with much dirty data on the machine, a durable create fsyncs its own file instead of waiting for a syncfs", async () => {
  const { sync, calls } = manualSyncfs();
  attachFsSync(root, sync);
  setDirtyProbe(() => 2 ** 30);
  try {
    expect(fsSyncOf(join(root, "k"))).toBeNull();
    await createFileDurable(join(root, "x"), new Uint8Array([5]), [root]);
    expect(calls.length).toBe(0);
    expect(readFileSync(join(root, "x"))).toEqual(Buffer.from([5]));
  } finally {
    setDirtyProbe(() => 0);
  }
  expect(fsSyncOf(join(root, "k"))).toBe(sync);
});

test("fsyncDir and writeFileSynced under a drive with group sync wait for it", async () => {
  const { sync, calls } = manualSyncfs();
  attachFsSync(root, sync);
  const dir = fsyncDir(join(root, "a"));
  const file = writeFileSynced(join(root, "f"), new Uint8Array([4]));
  while (calls.length === 0) await Bun.sleep(1);
  expect(await promiseState(file)).toBe("pending");
  calls[0]!.finish();
  await dir;
  while (calls.length < 2) await Bun.sleep(1); // the file's write finished during the first call
  calls[1]!.finish();
  await file;
  expect(readFileSync(join(root, "f"))).toEqual(Buffer.from([4]));
});

test.skipIf(process.platform !== "linux")("a local ext4/xfs/btrfs drive gets the real syncfs; tmpfs keeps per-file fsyncs", async () => {
  const fsType = (await Bun.$`stat -f -c %T ${root}`.text()).trim();
  // CAIRN_FS_SYNCFS=0 (a run of the suite on the per-file path) turns group sync off everywhere.
  const local = (fsType.startsWith("ext") || fsType === "xfs" || fsType === "btrfs") && process.env.CAIRN_FS_SYNCFS !== "0";
  expect(await registerFsSync(root)).toBe(local);
  expect(fsSyncOf(join(root, "v/key/~xl.meta")) !== null).toBe(local);
  await createFileDurable(join(root, "x"), new Uint8Array([1]), [root]);
  expect(readFileSync(join(root, "x"))).toEqual(Buffer.from([1]));
  if (existsSync("/dev/shm")) {
    const shm = await mkdtemp("/dev/shm/cairn-fssync-");
    try {
      expect(await registerFsSync(shm)).toBe(false);
      expect(fsSyncOf(join(shm, "k"))).toBeNull();
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  }
});

test.skipIf(process.platform !== "linux")("drives on one filesystem registered side by side share one group sync", async () => {
  const fsType = (await Bun.$`stat -f -c %T ${root}`.text()).trim();
  if (!(fsType.startsWith("ext") || fsType === "xfs" || fsType === "btrfs") || process.env.CAIRN_FS_SYNCFS === "0") return;
  // A fresh process: this one's registry already knows the filesystem from the tests above.
  const script = `
    import { fsSyncOf, registerFsSync } from ${JSON.stringify(join(import.meta.dir, "fs-sync.ts"))};
    import { mkdirSync } from "node:fs";
    const drives = ["d1", "d2", "d3", "d4"].map((d) => ${JSON.stringify(root)} + "/side-by-side/" + d);
    for (const d of drives) mkdirSync(d, { recursive: true });
    // As a server opens its drives: all at once, each before any other has finished.
    const ok = await Promise.all(drives.map((d) => registerFsSync(d)));
    const syncs = new Set(drives.map((d) => fsSyncOf(d + "/bucket/key/~xl.meta")));
    console.log(JSON.stringify({ ok, syncs: syncs.size, none: syncs.has(null) }));
    process.exit(0);`;
  const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "inherit" });
  const out = JSON.parse(await new Response(proc.stdout).text());
  expect(out).toEqual({ ok: [true, true, true, true], syncs: 1, none: false });
});

test.skipIf(process.platform !== "linux")("the worker's syncfs reports the errno of a failed call by name", async () => {
  const pool = syncWorkers();
  expect(pool).not.toBeNull();
  const err = await pool!.run({ op: "syncfs", path: root, fd: 1 << 20 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SyncJobError);
  expect((err as SyncJobError).code).toBe("EBADF");
  const missing = await pool!.ask({ op: "syncfs-open", path: join(root, "nope") }).catch((e: unknown) => e);
  expect((missing as SyncJobError).code).toBe("ENOENT");
});
