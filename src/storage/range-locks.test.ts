/**
 * Locks shared through one lock file: two instances behave as two processes (each hold has its
 * own open file description), a real second process excludes this one, and a process that dies
 * holding a lock does not keep it.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promiseState } from "../../test/promise-state";
import { FileRangeLocks } from "./range-locks";

const dir = mkdtempSync(join(tmpdir(), "cairn-range-locks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a writer excludes readers and writers of its name only; readers share", async () => {
  const path = join(dir, "a");
  const [one, two] = [new FileRangeLocks(path), new FileRangeLocks(path)];
  const w = await one.lock("bkt/k", true);
  const reader = two.lock("bkt/k", false);
  const writer = two.lock("bkt/k", true);
  const other = await two.lock("bkt/other", true);
  expect(await promiseState(reader)).toBe("pending");
  expect(await promiseState(writer)).toBe("pending");
  other();
  w();
  const r1 = await reader;
  // Readers share: a second reader in the other instance gets in beside the first.
  const r2 = await one.lock("bkt/k", false);
  expect(await promiseState(writer)).toBe("pending");
  r1();
  r2();
  (await writer)();
  one.close();
  two.close();
});

test("readers overlapping without pause in one instance do not starve a writer in another", async () => {
  const path = join(dir, "b");
  const [readers, writers] = [new FileRangeLocks(path), new FileRangeLocks(path)];
  let running = true;
  let reads = 0;
  // Eight readers, each taking the lock again as soon as it let go: some reader always holds it.
  const loops = Array.from({ length: 8 }, async () => {
    while (running) {
      const release = await readers.lock("hot", false);
      await Bun.sleep(2);
      reads++;
      release();
    }
  });
  await Bun.sleep(20);
  const readsBefore = reads;
  const release = await writers.lock("hot", true);
  const stillReading = running;
  running = false;
  release();
  await Promise.all(loops);
  expect(readsBefore).toBeGreaterThan(0);
  expect(stillReading).toBe(true);
});

test("another process's lock excludes this one until that process dies, unlock or not", async () => {
  const path = join(dir, "c");
  const script = `const { FileRangeLocks } = await import(${JSON.stringify(join(import.meta.dir, "range-locks.ts"))});
    await new FileRangeLocks(${JSON.stringify(path)}).lock("bkt/k", true);
    console.log("held");
    await Bun.sleep(300);
    process.exit(0);`;
  const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe" });
  const reader = child.stdout.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toContain("held");
  const here = new FileRangeLocks(path);
  const mine = here.lock("bkt/k", true);
  expect(await promiseState(mine)).toBe("pending");
  await Bun.sleep(100);
  expect(await promiseState(mine)).toBe("pending");
  expect(await child.exited).toBe(0);
  (await mine)();
  here.close();
});
