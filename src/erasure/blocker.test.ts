import { expect, test } from "bun:test";
import { bytes } from "../../test/suites/helpers";
import { createCodec } from "../ec/index";
import { type Assembled, Blocker } from "./blocker";
import { BufferPool } from "./buffers";

const MiB = 1 << 20;

async function cut(opts: { separate: boolean; size: number }): Promise<{ blocks: Assembled[]; copies: Uint8Array[]; tail: Assembled | null; data: Uint8Array }> {
  const codec = createCodec(2, 2);
  for (let i = 0; i < 3; i++) codec.encode(bytes(MiB, i)); // lets the ISA-L path verify itself
  const blocker = new Blocker({ codec, pool: new BufferPool(), blockSize: MiB, headroom: 8, separate: opts.separate });
  const data = bytes(opts.size, 5);
  const blocks: Assembled[] = [];
  const copies: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += 100_003) {
    await blocker.feed(data.subarray(off, off + 100_003), async (b) => {
      blocks.push(b);
      copies.push(Buffer.concat(b.pieces)); // the buffers are refilled two blocks later
    });
  }
  return { blocks, copies, tail: blocker.tail(), data };
}

test("full blocks are assembled in the encode output's data slots, in order; the tail is gathered", async () => {
  const { blocks, copies, tail, data } = await cut({ separate: false, size: 2 * MiB + 12_345 });
  expect(blocks.map((b) => b.inPlace)).toEqual([true, true]);
  expect(blocks.every((b) => b.pieces.every((p) => p.buffer === b.into.buffer))).toBe(true);
  expect(blocks[0]!.into).not.toBe(blocks[1]!.into);
  expect(Buffer.compare(copies[0]!, data.subarray(0, MiB))).toBe(0);
  expect(Buffer.compare(copies[1]!, data.subarray(MiB, 2 * MiB))).toBe(0);
  expect(tail!.inPlace).toBe(false);
  expect(tail!.pieces).toHaveLength(1);
  expect(Buffer.compare(tail!.pieces[0]!, data.subarray(2 * MiB))).toBe(0);
});

test("a body known to be inlined is assembled in a block of its own", async () => {
  const { blocks, tail, data } = await cut({ separate: true, size: 5000 });
  expect(blocks).toHaveLength(0);
  expect(tail!.inPlace).toBe(false);
  expect(Buffer.compare(tail!.pieces[0]!, data)).toBe(0);
});

test("a body ending on a block boundary has no tail", async () => {
  const { blocks, tail } = await cut({ separate: false, size: MiB });
  expect(blocks).toHaveLength(1);
  expect(tail).toBeNull();
});
