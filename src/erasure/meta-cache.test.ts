/**
 * The decoded-xl.meta cache serves a decode only for the very bytes it decoded, stays within
 * its byte budget, and hands out frozen results; GET/HEAD over it still see every change on
 * disk, and small objects come back as bytes without holding the key's lock.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
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
async function withLayer(fn: (layer: Awaited<ReturnType<typeof openErasureLayer>>, root: string) => Promise<void>) {
  const t = tempDrives(4);
  const layer = await openErasureLayer({ drives: t.drives, parity: 2 });
  try {
    await layer.makeBucket("bkt");
    await fn(layer, t.root);
  } finally {
    await layer.close();
    t.cleanup();
  }
}

test("GET and HEAD follow overwrites and on-disk changes behind the cache", () =>
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
  }));

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
