import { expect, test } from "bun:test";
import { DriveError } from "./drive";
import { DriveHealth } from "./health";

const kindOf = (p: Promise<unknown>) => p.then(() => "none", (e: unknown) => (e instanceof DriveError ? e.kind : "other"));
const eio = () => Promise.reject(Object.assign(new Error("io"), { code: "EIO" }));
const enoent = () => Promise.reject(Object.assign(new Error("nf"), { code: "ENOENT" }));

test("consecutive faults take it offline; successes and non-faults reset the count", async () => {
  let probeOk = false;
  const h = new DriveHealth("d", async () => {
    if (!probeOk) throw new Error("still broken");
  }, { faultThreshold: 3, probeIntervalMs: 0 });
  expect(await kindOf(h.run(eio))).toBe("Faulty");
  expect(await kindOf(h.run(eio))).toBe("Faulty");
  expect(await kindOf(h.run(enoent))).toBe("FileNotFound"); // resets
  expect(await kindOf(h.run(eio))).toBe("Faulty");
  expect(await kindOf(h.run(eio))).toBe("Faulty");
  expect(h.isOnline()).toBe(true);
  expect(await kindOf(h.run(eio))).toBe("Faulty");
  expect(h.isOnline()).toBe(false);
  expect(await kindOf(h.run(async () => 1))).toBe("DriveOffline");
  probeOk = true;
  expect(await h.run(async () => 42)).toBe(42);
  expect(h.isOnline()).toBe(true);
});

test("a call that never answers is cut off by the deadline and counts as a fault", async () => {
  const h = new DriveHealth("d", async () => undefined, { faultThreshold: 1, probeIntervalMs: 3_600_000, deadlineMs: 20 });
  expect(await kindOf(h.run(() => new Promise(() => undefined)))).toBe("Faulty");
  expect(h.isOnline()).toBe(false);
});

test("errors are always DriveErrors", async () => {
  const h = new DriveHealth("d", async () => undefined);
  const err = await h.run(() => Promise.reject(new TypeError("boom"))).catch((e) => e);
  expect(err).toBeInstanceOf(DriveError);
  expect(err.kind).toBe("Faulty");
  expect(await kindOf(h.run(() => Promise.reject(Object.assign(new Error(), { code: "ENOSPC" }))))).toBe("DiskFull");
});
