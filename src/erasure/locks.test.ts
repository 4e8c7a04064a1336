import { expect, test } from "bun:test";
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
