import { afterAll, beforeAll, expect, test } from "bun:test";
import { ptr } from "bun:ffi";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HUGE_PAGE } from "../../ffi/aligned";
import { clearIdleStages, DirectFileWriter, idleStages, idleStagesOf, openDirect, stageBytesFor, stageClock, stageTrim } from "./direct-writer";
import { LocalDrive } from "./local-drive";
import { SysFileWriter } from "./sys-writer";

let root: string;
let drive: LocalDrive;
/** Does the test directory's filesystem take O_DIRECT (ext4, xfs: yes; tmpfs: no)? */
let directHere: boolean;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "cairn-direct-"));
  drive = await LocalDrive.open(root);
  writeFileSync(join(root, "probe"), "");
  const probe = await openDirect(join(root, "probe"));
  directHere = probe !== null;
  await probe?.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 31 + seed) % 251);

async function writeAll(path: string, chunks: Uint8Array[], sizeHint?: number) {
  const w = await drive.createSysWriter(path, sizeHint);
  for (const c of chunks) await w.write(c);
  await w.close();
  return { w, back: readFileSync(join(root, ".cairn.sys", path)) };
}

const frames = (n: number, size: number) => Array.from({ length: n }, (_, i) => bytes(size, i));

test("a shard file written in frames of any size reads back byte for byte, at its exact length", async () => {
  // Frames as 1 MiB blocks on 2 data drives make them (hash + 512 KiB); short last frames, tiny
  // ones, runs that end exactly on the 256 KiB stage or on a 4 KiB block, and no frames at all.
  const cases: Uint8Array[][] = [
    [bytes(524_320, 1), bytes(524_320, 2), bytes(1_000, 3)],
    [bytes(524_320, 1), bytes(524_320, 2), bytes(9_000, 3)],
    frames(7, 524_320),
    [...frames(4, 262_144), ...frames(3, 262_144)],
    [bytes(1 << 20, 4), bytes(4096, 7), bytes(1, 8), bytes(300_000, 9)],
    [bytes(8192, 5)],
    [bytes(100, 4)],
    frames(2, 524_320),
    [],
  ];
  // Each case with the 256 KiB stage, and with the 1 MiB stage of a file declared large.
  for (const hint of [undefined, 4 << 20]) {
    for (const [i, chunks] of cases.entries()) {
      const { w, back } = await writeAll(`tmp/frames-${i}-${hint}/part.1`, chunks, hint);
      expect(back.length).toBe(chunks.reduce((n, c) => n + c.length, 0));
      expect(back.equals(Buffer.concat(chunks))).toBe(true);
      if (directHere) expect(w).toBeInstanceOf(DirectFileWriter);
    }
  }
});

test("files declared to reach a MiB get the large stage; others, and undeclared ones, the small one", () => {
  expect(stageBytesFor(undefined)).toBe(256 << 10);
  expect(stageBytesFor(0)).toBe(256 << 10);
  expect(stageBytesFor(524_296)).toBe(256 << 10);
  expect(stageBytesFor((1 << 20) - 1)).toBe(256 << 10);
  // Half a transparent huge page: one segment of a device request (see STAGE_LARGE).
  expect(stageBytesFor(1 << 20)).toBe(1 << 20);
  expect(stageBytesFor(33_554_560)).toBe(1 << 20);
});

test("large files' stages are the halves of huge pages (physically contiguous, so one device request each)", async () => {
  if (!directHere) return;
  clearIdleStages();
  await Promise.all([0, 1, 2, 3].map((i) => writeAll(`tmp/halves/${i}`, [bytes(1_500_000, i)], 4 << 20)));
  const stages = idleStagesOf(1 << 20);
  expect(stages.length).toBe(4);
  const pages = new Set(stages.map((s) => ptr(s) - (ptr(s) % HUGE_PAGE)));
  // Four stages from two huge pages, each at a half's start.
  expect(pages.size).toBe(2);
  for (const s of stages) expect([0, 1 << 20]).toContain(ptr(s) % HUGE_PAGE);
});

test("idle stages of a size no longer used give way to the other size; each size keeps at most 32 MiB idle", async () => {
  if (!directHere) return;
  const small = 256 << 10;
  const large = 1 << 20;
  // A clock that moves only when told: "a second later" must not depend on the machine's speed.
  const realNow = stageClock.now;
  let t = realNow();
  stageClock.now = () => t;
  // The pool is the process's: whatever ran before this test (other files too) left stages in it.
  clearIdleStages();
  try {
    // 160 small files at once leave 128 small stages idle (32 MiB), not 160.
    await Promise.all(Array.from({ length: 160 }, (_, i) => writeAll(`tmp/idle-small/${i}`, [bytes(300_000, i)])));
    expect(idleStages().get(small)).toBe(128);
    // A large file right after: small stages are still in use (a mix), so none goes.
    await writeAll("tmp/idle-mix/0", [bytes(1_200_000, 1)], 4 << 20);
    expect(idleStages().get(small)).toBe(128);
    expect(idleStages().get(large)).toBe(1);
    // A second later the small ones are stale: each of the 8 fresh large stages drops 4 small ones.
    const smallBefore = [...idleStagesOf(small)];
    expect(smallBefore.every((s) => s.some((v) => v !== 0))).toBe(true); // they held file bytes
    t += 1100;
    await Promise.all(Array.from({ length: 9 }, (_, i) => writeAll(`tmp/idle-large/${i}`, [bytes(1_200_000, i)], 4 << 20)));
    expect(idleStages().get(small)).toBe(128 - 8 * 4);
    expect(idleStages().get(large)).toBe(9);
    // The dropped ones' pages went back to the kernel at once: they read as zeros.
    const dropped = smallBefore.filter((s) => !idleStagesOf(small).includes(s));
    expect(dropped).toHaveLength(8 * 4);
    expect(dropped.every((s) => s.every((v) => v === 0))).toBe(true);
    // Taken again from the idle ones: no more small stages go.
    await Promise.all(Array.from({ length: 9 }, (_, i) => writeAll(`tmp/idle-large2/${i}`, [bytes(1_200_000, i)], 4 << 20)));
    expect(idleStages().get(small)).toBe(128 - 8 * 4);
    expect(idleStages().get(large)).toBe(9);
  } finally {
    stageClock.now = realNow;
  }
});

test("after a quiet spell without takes, every idle stage goes and its pages go back to the kernel", async () => {
  if (!directHere) return;
  clearIdleStages();
  const quiet = stageTrim.quietMs;
  const realNow = stageClock.now;
  // The clock stands still while the files are written, so a slow machine cannot make the
  // first stage look quiet before the second is written; then 60 s pass at once.
  const start = realNow();
  stageClock.now = () => start;
  stageTrim.quietMs = 30;
  try {
    await writeAll("tmp/quiet/small", [bytes(300_000, 1)]);
    await writeAll("tmp/quiet/large", [bytes(1_200_000, 2)], 4 << 20);
    await Bun.sleep(60); // the trim looked at least once and kept them: no quiet spell yet
    const held = [...idleStagesOf(256 << 10), ...idleStagesOf(1 << 20)];
    expect(held).toHaveLength(2);
    expect(held.every((s) => s.some((v) => v !== 0))).toBe(true); // they held file bytes
    stageClock.now = () => start + 60_000;
    for (let i = 0; i < 100 && [...idleStages().values()].some((n) => n > 0); i++) await Bun.sleep(20);
    expect([...idleStages().values()].every((n) => n === 0)).toBe(true);
    expect(held.every((s) => s.every((v) => v === 0))).toBe(true);
  } finally {
    stageTrim.quietMs = quiet;
    stageClock.now = realNow;
  }
});

test("many files at once, as a PUT's drives write them, each get their own bytes (stages are never shared)", async () => {
  const files = Array.from({ length: 48 }, (_, i) => [bytes(300_000 + i * 977, i), bytes(900_000, i + 50), bytes(70_000, i + 100)]);
  const written = await Promise.all(files.map((chunks, i) => writeAll(`tmp/many/${i}`, chunks)));
  written.forEach(({ back }, i) => expect(back.equals(Buffer.concat(files[i]!))).toBe(true));
});

test("abort removes what was written", async () => {
  const w = await drive.createSysWriter("tmp/aborted/part.1");
  await w.write(bytes(600_000, 1));
  await w.write(bytes(600_000, 2)); // a direct write done, the rest in the stage
  await w.abort();
  expect(existsSync(join(root, ".cairn.sys/tmp/aborted/part.1"))).toBe(false);
});

test("a file written again from the start holds only its new bytes", async () => {
  await writeAll("tmp/again/part.1", [bytes(700_000, 1)]);
  const { back } = await writeAll("tmp/again/part.1", [bytes(5_000, 2)]);
  expect(back.equals(Buffer.from(bytes(5_000, 2)))).toBe(true);
});

// The EINVAL fallback (a filesystem that refuses O_DIRECT) has no test: tmpfs, the usual example,
// accepts O_DIRECT since Linux 6.6, and no filesystem here refuses it.
test("CAIRN_ODIRECT=0 writes the file buffered", async () => {
  process.env.CAIRN_ODIRECT = "0";
  try {
    const { w, back } = await writeAll("tmp/buffered/part.1", [bytes(524_320, 1)]);
    expect(w).toBeInstanceOf(SysFileWriter);
    expect(back.equals(Buffer.from(bytes(524_320, 1)))).toBe(true);
  } finally {
    delete process.env.CAIRN_ODIRECT;
  }
});
