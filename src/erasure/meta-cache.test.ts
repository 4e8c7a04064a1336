/**
 * The decoded-xl.meta cache serves a decode only for the very bytes it decoded, stays within
 * its byte budget, and hands out frozen results; GET/HEAD over it still see every change on
 * disk, and small objects come back as bytes without holding the key's lock.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { body, bytes, meta, tempDrives } from "../../test/suites/helpers";
import type { XlMeta } from "../xlmeta/index";
import { openErasureLayer } from "./index";
import { MetaDecodeCache } from "./meta-cache";

function counting() {
  const calls = { n: 0 };
  const decode = (b: Uint8Array): XlMeta => {
    calls.n++;
    if (b[0] === 0xff) throw new Error("corrupt");
    return { versions: [{ marker: b[0] }] as unknown as XlMeta["versions"], inline: new Map() };
  };
  return { calls, decode };
}

test("a hit needs the same bytes; changed, corrupt or other files are decoded afresh", () => {
  const cache = new MetaDecodeCache();
  const { calls, decode } = counting();
  const a = new Uint8Array([1, 2, 3]);
  const first = cache.decode("d1/b/k", a, decode);
  expect(cache.decode("d1/b/k", new Uint8Array([1, 2, 3]), decode)).toBe(first);
  expect(calls.n).toBe(1);
  // Same length, one byte different: not the cached decode.
  const changed = cache.decode("d1/b/k", new Uint8Array([1, 2, 4]), decode);
  expect(changed).not.toBe(first);
  expect(calls.n).toBe(2);
  // The same bytes under another drive's name are that file's own entry.
  cache.decode("d2/b/k", new Uint8Array([1, 2, 4]), decode);
  expect(calls.n).toBe(3);
  expect(() => cache.decode("d1/b/k", new Uint8Array([0xff, 2, 4]), decode)).toThrow("corrupt");
  // A corrupt file dropped the entry: the good bytes are decoded again.
  cache.decode("d1/b/k", new Uint8Array([1, 2, 4]), decode);
  expect(calls.n).toBe(5);
});

test("the cache keeps an exact copy, not the caller's buffer, and freezes what it shares", () => {
  const cache = new MetaDecodeCache();
  const { decode } = counting();
  const big = new Uint8Array(1000);
  const view = big.subarray(10, 13);
  view.set([7, 8, 9]);
  const m = cache.decode("x", view, decode);
  big.fill(0); // the caller reuses its buffer
  expect(cache.decode("x", new Uint8Array([7, 8, 9]), decode)).toBe(m);
  expect(() => (m.versions as unknown[]).push(1)).toThrow(TypeError);
  expect(() => ((m.versions[0] as unknown as { marker: number }).marker = 1)).toThrow(TypeError);
});

test("entries stay within the byte budget, oldest use evicted first; big files are not kept", () => {
  const cache = new MetaDecodeCache({ maxBytes: 100, maxEntryBytes: 40 });
  const { calls, decode } = counting();
  for (let i = 0; i < 10; i++) cache.decode(`k${i}`, new Uint8Array(30).fill(i), decode);
  expect(cache.size).toBe(3);
  cache.decode("k7", new Uint8Array(30).fill(7), decode); // hit: k7 becomes the newest
  cache.decode("k10", new Uint8Array(30).fill(10), decode); // evicts k8
  const before = calls.n;
  cache.decode("k7", new Uint8Array(30).fill(7), decode);
  expect(calls.n).toBe(before);
  cache.decode("k8", new Uint8Array(30).fill(8), decode);
  expect(calls.n).toBe(before + 1);
  cache.decode("huge", new Uint8Array(50), decode);
  cache.decode("huge", new Uint8Array(50), decode);
  expect(calls.n).toBe(before + 3);
});

function metaFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith("xl.meta") && dir.includes("/bkt/")) out.push(join(dir, e.name));
    }
  };
  walk(root);
  return out;
}

/** A fresh 4-drive EC:2 layer with bucket "bkt" for `fn`, closed and removed afterwards. */
async function withLayer(
  fn: (layer: Awaited<ReturnType<typeof openErasureLayer>>, root: string) => Promise<void>,
  opts: { metaFreshMs?: number } = {},
) {
  const t = tempDrives(4);
  const layer = await openErasureLayer({ drives: t.drives, parity: 2, ...opts });
  try {
    await layer.makeBucket("bkt");
    await fn(layer, t.root);
  } finally {
    await layer.close();
    t.cleanup();
  }
}

test("with no freshness window, GET and HEAD follow overwrites and on-disk changes behind the cache", () =>
  withLayer(async (layer, root) => {
    const v1 = bytes(4096, 1);
    await layer.putObject("bkt", "k", body(v1), { size: v1.length, metadata: meta(), versioning: "unversioned" });
    const old = metaFiles(root).map((f) => [f, readFileSync(f)] as const);
    expect(old.length).toBe(4);
    const r1 = await layer.getObject("bkt", "k");
    expect(r1.bytes).toEqual(v1);
    // The stream of an in-memory result carries the same bytes.
    expect(new Uint8Array(await new Response(r1.body).arrayBuffer())).toEqual(new Uint8Array(v1));

    const v2 = bytes(3000, 2);
    await layer.putObject("bkt", "k", body(v2), { size: v2.length, metadata: meta(), versioning: "unversioned" });
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(v2);
    expect((await layer.statObject("bkt", "k")).size).toBe(3000);

    // Old xl.meta files put back behind the server's back on every drive: GET serves them.
    for (const [f, b] of old) writeFileSync(f, b);
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(v1);
    // Corrupt on three drives: no read quorum, whatever was cached before.
    for (const [f] of old.slice(0, 3)) writeFileSync(f, new Uint8Array(64).fill(1));
    await expect(layer.getObject("bkt", "k")).rejects.toMatchObject({ kind: "InsufficientReadQuorum" });
  }, { metaFreshMs: 0 }));

test("within the window, on-disk changes behind the server's back are not read; writes through it are", () =>
  withLayer(async (layer, root) => {
    const v1 = bytes(4096, 1);
    await layer.putObject("bkt", "k", body(v1), { size: v1.length, metadata: meta(), versioning: "unversioned" });
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(v1);
    const files = metaFiles(root);
    const old = files.map((f) => readFileSync(f));
    // Garbage behind the server's back: the reads of a moment ago still stand.
    for (const f of files) writeFileSync(f, new Uint8Array(64).fill(1));
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(v1);
    expect((await layer.statObject("bkt", "k")).size).toBe(4096);
    files.forEach((f, i) => writeFileSync(f, old[i]!));
    // Writes through the layer are seen at once: overwrite, delete, write again.
    const v2 = bytes(3000, 2);
    await layer.putObject("bkt", "k", body(v2), { size: v2.length, metadata: meta(), versioning: "unversioned" });
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(v2);
    await layer.deleteObject("bkt", "k", { versioning: "unversioned" });
    await expect(layer.statObject("bkt", "k")).rejects.toMatchObject({ kind: "ObjectNotFound" });
    const v3 = bytes(100, 3);
    await layer.putObject("bkt", "k", body(v3), { size: v3.length, metadata: meta(), versioning: "unversioned" });
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(v3);
    await layer.updateObjectMetadata("bkt", "k", { tagging: "a=1" });
    expect((await layer.statObject("bkt", "k")).metadata.system?.tagging).toBe("a=1");
    // A file lost behind the server's back: GET is served from the recent reads, and heal,
    // which always reads the disk, finds the loss and restores the file.
    const [lost] = metaFiles(root);
    rmSync(lost!);
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(v3);
    const healed = await layer.healObject("bkt", "k");
    expect(healed.drives.map((d) => d.before)).toContain("missing");
    expect(readFileSync(lost!).byteLength).toBeGreaterThan(0);
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(v3);
  }, { metaFreshMs: 60_000 }));

test("a range of a small object comes back as bytes, and the key's lock is free at once", () =>
  withLayer(async (layer) => {
    const v = bytes(5000, 3);
    await layer.putObject("bkt", "k", body(v), { size: v.length, metadata: meta(), versioning: "unversioned" });
    const r = await layer.getObject("bkt", "k", { range: { type: "from", start: 100, end: 4099 } });
    expect(r.range).toEqual({ start: 100, end: 4099 });
    expect(r.bytes).toEqual(v.subarray(100, 4100));
    // The body was never consumed; an overwrite must not wait for it.
    await layer.putObject("bkt", "k", body(bytes(10, 4)), { size: 10, metadata: meta(), versioning: "unversioned" });
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(bytes(10, 4));
  }));

test("a read stands in for the disk for freshMs from its start, unless a write overlapped it", () => {
  let now = 0;
  const cache = new MetaDecodeCache({ freshMs: 1000 }, () => now);
  const { decode } = counting();
  const read = (id: string, b: number) => {
    const t = cache.startRead(id);
    now += 10; // the read takes a while: freshness counts from its start
    const m = cache.decode(id, new Uint8Array([b]), decode, t);
    return m;
  };
  const a = read("a", 1);
  read("b", 2);
  expect(cache.recent(["a", "b"])).toEqual([a, expect.anything()]);
  expect(cache.recent(["a", "never-read"])).toBeNull();
  now = 1000;
  expect(cache.recent(["a"])).toEqual([a]);
  now = 1001;
  expect(cache.recent(["a"])).toBeNull();
  read("a", 1);
  expect(cache.recent(["a"])).not.toBeNull();
  cache.forget("a");
  expect(cache.recent(["a"])).toBeNull();

  // A write during the read: its bytes may predate the write, so they are not fresh.
  const t = cache.startRead("a");
  cache.forget("a");
  cache.decode("a", new Uint8Array([1]), decode, t);
  expect(cache.recent(["a"])).toBeNull();
  // Overlapping readers all count (under load some read is always in flight)...
  const t1 = cache.startRead("a");
  const t2 = cache.startRead("a");
  cache.decode("a", new Uint8Array([1]), decode, t1);
  const t3 = cache.startRead("a");
  expect(cache.recent(["a"])).not.toBeNull();
  cache.decode("a", new Uint8Array([1]), decode, t2);
  expect(cache.recent(["a"])).not.toBeNull();
  // ...but not one that a write overlapped, nor one that started before it.
  const t4 = cache.startRead("a");
  cache.forget("a");
  const t5 = cache.startRead("a");
  for (const t of [t3, t4]) {
    cache.decode("a", new Uint8Array([1]), decode, t);
    expect(cache.recent(["a"])).toBeNull();
  }
  cache.decode("a", new Uint8Array([1]), decode, t5);
  expect(cache.recent(["a"])).not.toBeNull();
  // Bytes decoded without a ticket (not just read from disk) are never fresh.
  cache.decode("c", new Uint8Array([3]), decode);
  expect(cache.recent(["c"])).toBeNull();
});

test("forgetPrefix makes one volume's files stale and no other's; freshMs 0 reads every time", () => {
  const cache = new MetaDecodeCache({ freshMs: 1000 }, () => 0);
  const { decode } = counting();
  for (const id of ["d1\0bkt\0k", "d1\0bkt\0j", "d1\0bkt2\0k", "d2\0bkt\0k"]) {
    cache.decode(id, new Uint8Array([1]), decode, cache.startRead(id));
  }
  cache.forgetPrefix("d1\0bkt\0");
  expect(cache.recent(["d1\0bkt\0k"])).toBeNull();
  expect(cache.recent(["d1\0bkt\0j"])).toBeNull();
  expect(cache.recent(["d1\0bkt2\0k", "d2\0bkt\0k"])).not.toBeNull();

  const never = new MetaDecodeCache({ freshMs: 0 }, () => 0);
  never.decode("x", new Uint8Array([1]), decode, never.startRead("x"));
  expect(never.recent(["x"])).toBeNull();
});

test("CAIRN_META_FRESH_MS=0 makes every GET read the drives", async () => {
  const was = process.env.CAIRN_META_FRESH_MS;
  process.env.CAIRN_META_FRESH_MS = "0";
  const t = tempDrives(4);
  try {
    const layer = await openErasureLayer({ drives: t.drives, parity: 2 });
    await layer.makeBucket("bkt");
    await layer.putObject("bkt", "k", body(bytes(100, 1)), { size: 100, metadata: meta(), versioning: "unversioned" });
    expect((await layer.getObject("bkt", "k")).bytes).toEqual(bytes(100, 1));
    for (const f of metaFiles(t.root)) rmSync(f);
    await expect(layer.getObject("bkt", "k")).rejects.toMatchObject({ kind: "ObjectNotFound" });
    await layer.close();
  } finally {
    if (was === undefined) delete process.env.CAIRN_META_FRESH_MS;
    else process.env.CAIRN_META_FRESH_MS = was;
    t.cleanup();
  }
});
