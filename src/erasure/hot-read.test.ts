import { describe, expect, test } from "bun:test";
import type { ObjectInfo } from "../object/index";
import type { XlMeta } from "../xlmeta/index";
import { hotRead, rememberRead, type HotRead } from "./hot-read";
import type { MetaResults, Resolved } from "./meta-read";

const decode = (): XlMeta => ({ versions: [], inline: new Map() }) as unknown as XlMeta;
const ok = (value: XlMeta) => ({ ok: true as const, value });
const read = (needsHeal = false): HotRead => ({
  resolved: { needsHeal } as Resolved,
  info: Object.freeze({ size: 1 } as ObjectInfo),
  whole: null,
});

describe("hot reads", () => {
  test("the same decodes on every drive give back the remembered read", () => {
    const metas: MetaResults = [ok(decode()), ok(decode()), ok(decode()), ok(decode())];
    const kept = rememberRead(metas, undefined, read());
    const again: MetaResults = metas.map((m) => ({ ...m }));
    expect(hotRead(again, undefined)).toBe(kept);
  });

  test("a changed decode on any drive, or another version asked for, is a miss", () => {
    const metas: MetaResults = [ok(decode()), ok(decode()), ok(decode())];
    rememberRead(metas, undefined, read());
    const changed: MetaResults = [metas[0]!, metas[1]!, ok(decode())];
    expect(hotRead(changed, undefined)).toBeUndefined();
    expect(hotRead(metas, "v1")).toBeUndefined();
    expect(hotRead(metas, null)).toBeUndefined();
  });

  test("a read that needs a heal, or saw a drive fail, is not remembered", () => {
    const healing: MetaResults = [ok(decode()), ok(decode())];
    rememberRead(healing, undefined, read(true));
    expect(hotRead(healing, undefined)).toBeUndefined();
    const failed = [ok(decode()), { ok: false, error: new Error("offline") }] as unknown as MetaResults;
    rememberRead(failed, undefined, read());
    expect(hotRead(failed, undefined)).toBeUndefined();
    expect(hotRead([failed[0]!, ok(decode())], undefined)).toBeUndefined();
  });
});
