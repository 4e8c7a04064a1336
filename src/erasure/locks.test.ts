import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promiseState } from "../../test/promise-state";
import { FileRangeLocks } from "../storage/index";
import { NamespaceLocks } from "./locks";

test("writers exclude everyone, readers share, FIFO order, entries cleaned up", async () => {
  const locks = new NamespaceLocks();
  const log: string[] = [];
  const r1 = await locks.read("b/k");
  const r2 = await locks.read("b/k");
  const w = locks.write("b/k").then((rel) => {
    log.push("w");
    return rel;
  });
  const r3 = locks.read("b/k").then((rel) => {
    log.push("r3");
    return rel;
  });
  await Promise.resolve();
  expect(log).toEqual([]); // the writer waits for both readers; the late reader waits behind it
  r1();
  r2();
  const wr = await w;
  expect(log).toEqual(["w"]);
  wr();
  (await r3)();
  expect(log).toEqual(["w", "r3"]);
  const other = await locks.write("b/other");
  other();
  expect(locks.size).toBe(0);
});

test("with shared locks, a hold in one instance excludes another instance's (two processes' namespace locks)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-ns-locks-"));
  try {
    const file = join(dir, "locks");
    const [a, b] = [new NamespaceLocks(new FileRangeLocks(file)), new NamespaceLocks(new FileRangeLocks(file))];
    const w = await a.write("b/k");
    const r = b.read("b/k");
    expect(await promiseState(r)).toBe("pending");
    await Bun.sleep(30);
    expect(await promiseState(r)).toBe("pending");
    w();
    const rr = await r;
    const w2 = a.write("b/k");
    expect(await promiseState(w2)).toBe("pending");
    rr();
    (await w2)();
    expect(a.size + b.size).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
