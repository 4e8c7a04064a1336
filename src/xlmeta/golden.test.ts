/**
 * Format stability: files written by the v1 and v2 encoders must decode, unchanged, forever.
 * Never regenerate the .bin fixtures; a new format version gets new fixtures beside these.
 * v2-basic.bin holds the value of v1-basic.bin (v2 moved the erasure indexes out of the body).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { decodeXlMeta, encodeXlMeta, latestVersion, inlineDataOf } from "./index";
import { v1Basic } from "../../test/fixtures/xlmeta/v1-basic.value";

const fixtures = join(import.meta.dir, "../../test/fixtures/xlmeta");
const read = async (name: string) => new Uint8Array(await Bun.file(join(fixtures, name)).arrayBuffer());

test.each(["v1-basic.bin", "v2-basic.bin"])("%s decodes to the recorded value", async (name) => {
  const meta = decodeXlMeta(await read(name));
  expect(meta).toStrictEqual(v1Basic);
  expect(latestVersion(meta)?.modTime).toBe(1_732_540_000_123_456_789n);
  expect(new TextDecoder().decode(inlineDataOf(meta, "0193650f-2b1e-7c4d-9a8b-1c2d3e4f5a6b"))).toBe("hello");
});

test("v1-empty.bin decodes to no versions", async () => {
  expect(decodeXlMeta(await read("v1-empty.bin"))).toStrictEqual({ versions: [], inline: new Map() });
});

// Stricter than compatibility needs (a different but readable encoding would be fine), so a
// failure here means: check whether the on-disk format changed by accident (e.g. a msgpackr
// upgrade); if the change is deliberate and old files still decode, update this expectation.
test("the encoder still writes v2-basic.bin byte for byte, and v1-basic.bin when asked for v1", async () => {
  expect(encodeXlMeta(v1Basic)).toEqual(await read("v2-basic.bin"));
  expect(encodeXlMeta(v1Basic, { formatVersion: 1 })).toEqual(await read("v1-basic.bin"));
});
