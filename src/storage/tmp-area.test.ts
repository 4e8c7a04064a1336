import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { atomicWrite, cleanTmpArea, ownTmp, setTmpOwner, tmpName, tmpRoundTrip } from "./tmp-area";

let sys: string;
beforeEach(() => {
  sys = mkdtempSync(join(tmpdir(), "cairn-tmp-area-"));
});
afterEach(() => {
  setTmpOwner(""); // the owner is process-wide: never leak it into other tests
  rmSync(sys, { recursive: true, force: true });
});

function plant(rel: string): void {
  mkdirSync(dirname(join(sys, rel)), { recursive: true });
  writeFileSync(join(sys, rel), "x");
}

test("a lone server works in tmp itself and empties all of it", async () => {
  expect(ownTmp()).toBe("tmp");
  expect(dirname(tmpName(sys))).toBe(join(sys, "tmp"));
  plant("tmp/a");
  plant("tmp/w2/b/part.1");
  await cleanTmpArea(sys, "all");
  expect(readdirSync(join(sys, "tmp"))).toEqual([]);
});

test("one of several processes works in its own share, and 'own' empties only that share", async () => {
  setTmpOwner("w2");
  expect(ownTmp()).toBe("tmp/w2");
  expect(dirname(tmpName(sys, "probe-"))).toBe(join(sys, "tmp/w2"));
  plant("tmp/w2/staged/part.1");
  plant("tmp/w3/staged/part.1");
  plant("tmp/loose");
  await cleanTmpArea(sys, "own");
  expect(readdirSync(join(sys, "tmp/w2"))).toEqual([]);
  expect(existsSync(join(sys, "tmp/w3/staged/part.1"))).toBe(true);
  expect(existsSync(join(sys, "tmp/loose"))).toBe(true);
  // "all" (worker 1's first start) empties everything and leaves this process's share in place.
  await cleanTmpArea(sys, "all");
  expect(readdirSync(join(sys, "tmp"))).toEqual(["w2"]);
  // The share's files work end to end: an atomic write and the probe's round trip.
  await atomicWrite(sys, join(sys, "out/file"), new TextEncoder().encode("v"), async (d) => (mkdirSync(d, { recursive: true }), [d]));
  await tmpRoundTrip(sys);
  expect(readdirSync(join(sys, "tmp/w2"))).toEqual([]);
});

test("an owner tag is a plain name: no path can be smuggled in", () => {
  for (const bad of ["../x", "a/b", "W1", "."]) expect(() => setTmpOwner(bad)).toThrow();
  expect(ownTmp()).toBe("tmp");
});
