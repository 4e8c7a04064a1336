/**
 * The sync relay: a request is answered by the leader's group sync (a syncfs that started after
 * the request arrived), a failed or missing group answers `err`, and a leader that goes away
 * fails the requests in flight, so the asker falls back to its own syncfs.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promiseState } from "../../test/promise-state";
import { attachFsSync, FsSync, setDirtyProbe } from "./fs-sync";
import { serveSyncRelay, SyncRelayClient } from "./sync-relay";

const dir = mkdtempSync(join(tmpdir(), "cairn-sync-relay-"));
// The leader answers from its group sync only while the machine has little dirty data: these
// tests must not depend on what else the machine is writing.
beforeAll(() => setDirtyProbe(() => 0));
afterAll(() => {
  setDirtyProbe(null);
  rmSync(dir, { recursive: true, force: true });
});

/** A group sync whose syncfs calls the test finishes by hand. */
function manualGroup() {
  const calls: { finish: (err?: Error) => void }[] = [];
  const sync = new FsSync(
    () =>
      new Promise<void>((resolve, reject) => {
        calls.push({ finish: (err) => (err ? reject(err) : resolve()) });
      }),
  );
  return { sync, calls };
}

/** A leader serving a manual group for one drive root, and a client asking it. */
function setUp(name: string) {
  const root = join(dir, `drive-${name}`);
  const group = manualGroup();
  attachFsSync(root, group.sync);
  const relay = serveSyncRelay(join(dir, `${name}.sock`));
  const client = new SyncRelayClient(join(dir, `${name}.sock`));
  return { root, ...group, relay, client };
}

test("a request is answered by a leader's syncfs that started after it arrived", async () => {
  const { root, sync, calls, relay, client } = setUp("a");
  try {
    // A leader's syncfs already running when the request arrives does not answer it.
    const running = sync.sync();
    while (calls.length === 0) await Bun.sleep(1);
    const asked = client.sync(root);
    await Bun.sleep(20);
    calls[0]!.finish();
    await running;
    expect(await promiseState(asked)).toBe("pending");
    while (calls.length < 2) await Bun.sleep(1);
    calls[1]!.finish();
    await asked;
  } finally {
    client.close();
    relay.stop();
  }
});

test("a failed leader syncfs, or a root the leader has no group for, rejects the request", async () => {
  const { root, calls, relay, client } = setUp("b");
  try {
    const asked = client.sync(root);
    while (calls.length === 0) await Bun.sleep(1);
    calls[0]!.finish(new Error("EIO"));
    expect(await promiseState(asked.catch(() => undefined))).toBe("resolved");
    await expect(asked).rejects.toThrow("group sync failed");
    await expect(client.sync(join(dir, "unknown-drive"))).rejects.toThrow("group sync failed");
  } finally {
    client.close();
    relay.stop();
  }
});

test("a leader that goes away fails the requests in flight, and a later request finds no leader", async () => {
  const { root, calls, relay, client } = setUp("c");
  const asked = client.sync(root);
  while (calls.length === 0) await Bun.sleep(1);
  relay.stop();
  await expect(asked).rejects.toThrow("sync relay");
  await expect(client.sync(root)).rejects.toThrow();
  calls[0]!.finish();
});

test("a leader that never answers fails the request after the timeout, so the asker syncs on its own", async () => {
  const path = join(dir, "mute.sock");
  const mute = Bun.listen({ unix: path, socket: { data() {} } });
  const client = new SyncRelayClient(path, 50);
  try {
    await expect(client.sync(join(dir, "drive-d"))).rejects.toThrow("no answer in time");
  } finally {
    client.close();
    mute.stop(true);
  }
});
