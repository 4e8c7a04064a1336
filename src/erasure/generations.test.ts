/**
 * Generations shared through a file: a write one process announces makes the caches of another
 * stale (meta cache, listing runs), and a separate process's bump is seen at once.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { XlMeta } from "../xlmeta/index";
import { Generations } from "./generations";
import { ListingResults } from "./listing-cache";
import { MetaDecodeCache, metaFileId } from "./meta-cache";

const dir = mkdtempSync(join(tmpdir(), "cairn-gens-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EMPTY: XlMeta = { versions: [], inline: new Map() };

test("two mappings of one file see each other's bumps; in-memory tables are separate", () => {
  const path = join(dir, "a");
  const one = Generations.shared(path);
  const two = Generations.shared(path);
  const slot = one.slotOf("bkt/key");
  expect(two.slotOf("bkt/key")).toBe(slot);
  const before = two.count(slot);
  one.bump(slot);
  expect(two.count(slot)).toBe(before + 1);
  const mem = [Generations.inMemory(), Generations.inMemory()];
  mem[0]!.bump(slot);
  expect(mem[1]!.count(slot)).toBe(0);
});

test("another process's bump reaches this one's table", async () => {
  const path = join(dir, "b");
  const here = Generations.shared(path);
  const slot = here.slotOf("x");
  const script = `const { Generations } = await import(${JSON.stringify(join(import.meta.dir, "generations.ts"))});
    const g = Generations.shared(${JSON.stringify(path)}); for (let i = 0; i < 3; i++) g.bump(g.slotOf("x"));`;
  const child = Bun.spawn([process.execPath, "-e", script], { stderr: "pipe" });
  expect(await child.exited).toBe(0);
  expect(here.count(slot)).toBe(3);
});

test("a write announced by one process's cache makes another's fresh xl.meta stale", () => {
  const path = join(dir, "c");
  const reader = new MetaDecodeCache({ freshMs: 60_000 }, () => 0, Generations.shared(path));
  const writer = new MetaDecodeCache({ freshMs: 60_000 }, () => 0, Generations.shared(path));
  const id = metaFileId("/d1", "bkt", "k");
  const other = metaFileId("/d1", "bkt", "other");
  for (const i of [id, other]) reader.decode(i, new Uint8Array([1]), () => EMPTY, reader.startRead(i));
  expect(reader.recent([id, other])).not.toBeNull();
  writer.forget(id);
  expect(reader.recent([id])).toBeNull();
  expect(reader.recent([other])).not.toBeNull();
  // A read that began before the other process's write is not fresh either.
  const ticket = reader.startRead(other);
  writer.forgetPrefix(metaFileId("/d1", "bkt", ""));
  reader.decode(other, new Uint8Array([1]), () => EMPTY, ticket);
  expect(reader.recent([other])).toBeNull();
});

test("a bucket write in one process voids the listing runs of another", () => {
  const path = join(dir, "d");
  const lister = new ListingResults(undefined, undefined, Generations.shared(path));
  const writer = new ListingResults(undefined, undefined, Generations.shared(path));
  const q = { prefix: "", delimiter: undefined };
  const gen = lister.generation("bkt");
  lister.store("bkt", q, { gen, from: undefined, items: [{ name: "a" }, { name: "b" }], done: true });
  expect(lister.read("bkt", q, "a", 10)?.items.map((i) => i.name)).toEqual(["b"]);
  writer.bump("other");
  expect(lister.read("bkt", q, "a", 10)).not.toBeNull();
  writer.bump("bkt");
  expect(lister.read("bkt", q, "a", 10)).toBeNull();
});
