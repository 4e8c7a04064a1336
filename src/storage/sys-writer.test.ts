import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalDrive } from "./index";

let root: string;
let drive: LocalDrive;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-syswriter-"));
  drive = await LocalDrive.open(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function chunk(length: number, seed: number): Uint8Array {
  return new Uint8Array(length).map((_, i) => (i * 31 + seed) & 0xff);
}

test("small and large chunks land in order, and a caller may reuse its buffer once write resolves", async () => {
  const w = await drive.createSysWriter("tmp/u/dd/part.1");
  const sizes = [8, 300_000, 8, 8, 70_000, 1, 65_536, 65_535, 1 << 20, 5, 200_000, 3];
  const expected: Uint8Array[] = [];
  const scratch = new Uint8Array(1 << 20);
  for (const [i, size] of sizes.entries()) {
    const c = scratch.subarray(0, size);
    c.set(chunk(size, i));
    expected.push(c.slice());
    await w.write(c);
    c.fill(0xaa); // the writer must already be done with it
  }
  await w.close();
  const onDisk = await readFile(join(root, ".cairn.sys/tmp/u/dd/part.1"));
  expect(Buffer.compare(onDisk, Buffer.concat(expected))).toBe(0);
});

test("many small chunks overflow the gather buffer without losing a byte", async () => {
  const w = await drive.createSysWriter("tmp/u/dd/part.2");
  const expected: Uint8Array[] = [];
  for (let i = 0; i < 200; i++) {
    const c = chunk(4093, i);
    expected.push(c);
    await w.write(c);
  }
  await w.close();
  const onDisk = await readFile(join(root, ".cairn.sys/tmp/u/dd/part.2"));
  expect(Buffer.compare(onDisk, Buffer.concat(expected))).toBe(0);
});
