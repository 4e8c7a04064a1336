import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { META_FILE } from "./paths";
import { probeAsync, probeBatch, probePool, type Probe, type ProbeJob } from "./probe-workers";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "cairn-probe-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const at = (abs: string) => ({ parent: dirname(abs), name: basename(abs) });
const all = (abs: string): ProbeJob => ({ ...at(abs), meta: true, leaf: true });

/** Comparable form: bytes as arrays, stamps as strings. */
function plain(ps: Probe[]) {
  return ps.map((p) => ({
    meta: p.meta === null ? null : [...p.meta],
    leaf: p.leaf,
    stat: p.stat === undefined ? undefined : `${p.stat.ino}:${p.stat.mtimeNs}:${p.stat.ctimeNs}`,
  }));
}

test("a worker batch finds what the async fs calls find, entry for entry", async () => {
  const dir = join(root, "vol");
  const big = new Uint8Array(300_000).map((_, i) => (i * 7) % 251); // past the worker's first buffer
  const layout: [string, Uint8Array | null, boolean][] = [
    ["plain", new TextEncoder().encode("meta-a"), false],
    ["empty", new Uint8Array(0), false],
    ["none", null, false],
    ["big", big, false],
    ["parent", new TextEncoder().encode("meta-p"), true],
    ["bare-parent", null, true],
  ];
  for (const [name, meta, sub] of layout) {
    mkdirSync(join(dir, name, sub ? "child" : ""), { recursive: true });
    if (meta) writeFileSync(join(dir, name, META_FILE), meta);
  }
  writeFileSync(join(root, "elsewhere"), "linked");
  mkdirSync(join(dir, "linked"));
  symlinkSync(join(root, "elsewhere"), join(dir, "linked", META_FILE));
  const names = [...layout.map(([n]) => n), "linked", "gone"];
  const jobs = names.map((n) => all(join(dir, n)));
  jobs.push({ ...at(join(dir, "parent")), meta: false, leaf: true }, { ...at(join(dir, "plain")), meta: true, leaf: false });

  const viaWorkers = await probeBatch(root, jobs);
  expect(probePool()?.started).toBeGreaterThan(0); // the workers ran it, not the async fallback
  expect(plain(viaWorkers)).toEqual(plain(await probeAsync(jobs)));
  const byName = new Map(names.map((n, i) => [n, viaWorkers[i]!]));
  expect(byName.get("big")!.meta).toEqual(big);
  expect(byName.get("empty")!.meta).toEqual(new Uint8Array(0));
  expect(byName.get("none")!.meta).toBeNull();
  expect(byName.get("gone")).toEqual({ meta: null, leaf: true });
  expect(new TextDecoder().decode(byName.get("linked")!.meta!)).toBe("linked");
  expect(byName.get("parent")!.leaf).toBe(false);
  expect(byName.get("parent")!.stat).toBeDefined();
  expect(byName.get("plain")!.leaf).toBe(true);
  expect(viaWorkers[names.length + 1]!.leaf).toBeUndefined();
});

test("an error other than ENOENT fails the batch with its errno code, as the async calls do", async () => {
  const dir = join(root, "errs");
  mkdirSync(join(dir, "ok"), { recursive: true });
  writeFileSync(join(dir, "file"), "not a directory");
  const jobs = [all(join(dir, "ok")), { ...at(join(dir, "file")), meta: true, leaf: false }];
  await expect(probeAsync(jobs)).rejects.toMatchObject({ code: "ENOTDIR" });
  await expect(probeBatch(root, jobs)).rejects.toMatchObject({ code: "ENOTDIR" });
  // The pool still answers after a failed batch.
  expect((await probeBatch(root, [all(join(dir, "ok"))]))[0]).toEqual({ meta: null, leaf: true });
});

test("one batch may span parents, including one that is gone: each entry as the async calls find it", async () => {
  const a = join(root, "span-a");
  const b = join(root, "span-b");
  for (const [dir, meta] of [[a, "from-a"], [b, "from-b"]] as const) {
    mkdirSync(join(dir, "k", "sub"), { recursive: true });
    writeFileSync(join(dir, "k", META_FILE), meta);
  }
  const jobs = [all(join(a, "k")), all(join(root, "no-such-parent", "k")), all(join(b, "k")), all(join(a, "absent"))];
  const viaWorkers = await probeBatch(root, jobs);
  expect(plain(viaWorkers)).toEqual(plain(await probeAsync(jobs)));
  expect(viaWorkers.map((p) => (p.meta === null ? null : new TextDecoder().decode(p.meta)))).toEqual(["from-a", null, "from-b", null]);
  expect(viaWorkers.map((p) => p.leaf)).toEqual([false, true, false, true]);
});

test("a probe reads xl.meta without writing its access time (O_NOATIME)", async () => {
  const dir = join(root, "atime");
  const files = ["probed", "control"].map((n) => {
    mkdirSync(join(dir, n), { recursive: true });
    const file = join(dir, n, META_FILE);
    writeFileSync(file, "meta");
    // Under relatime, an atime older than the mtime is updated by the next read.
    utimesSync(file, new Date(Date.now() - 3_600_000), new Date());
    return file;
  });
  const [probed, control] = files as [string, string];
  const before = statSync(probed).atimeMs;
  readFileSync(control);
  if (statSync(control).atimeMs === statSync(probed).atimeMs) {
    console.warn("skipped: this filesystem does not update access times on read (noatime)");
    return;
  }
  const [p] = await probeBatch(root, [all(join(dir, "probed"))]);
  expect(new TextDecoder().decode(p!.meta!)).toBe("meta");
  expect(statSync(probed).atimeMs).toBe(before);
});
