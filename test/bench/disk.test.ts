import { afterAll, expect, test } from "bun:test";
import { closeSync, constants, mkdtempSync, openSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureDisk } from "../../scripts/bench/disk";

const root = mkdtempSync(join(tmpdir(), "cairn-disk-ceiling-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Whether the temp filesystem takes O_DIRECT at all (tmpfs before Linux 6.6 does not). */
function directWorksIn(dir: string): boolean {
  if (constants.O_DIRECT === undefined) return false;
  try {
    closeSync(openSync(join(dir, "probe"), constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT));
    return true;
  } catch {
    return false;
  }
}

test("the sequential ceiling is the faster of a buffered and a direct write, each file fsynced whole", async () => {
  const d = await measureDisk(root, { drives: 2, seconds: 0.2, committers: 4, seqBytes: 8 << 20 });
  expect(d.smallOpsPerSec).toBeGreaterThan(0);
  expect(d.seqBufferedBytesPerSec).toBeGreaterThan(0);
  // Refused only where the filesystem has no O_DIRECT; the buffered figure then stands alone.
  expect(d.seqDirectBytesPerSec !== null).toBe(directWorksIn(root));
  expect(d.seqBytesPerSec).toBe(Math.max(d.seqBufferedBytesPerSec, d.seqDirectBytesPerSec ?? 0));
  const dir = join(root, "disk-ceiling-2");
  for (const drive of ["d1", "d2"]) {
    // 8 MiB over 2 drives: 4 MiB per drive, two huge-page writes each way.
    expect(statSync(join(dir, drive, "seq.bin")).size).toBe(4 << 20);
    if (d.seqDirectBytesPerSec !== null) expect(statSync(join(dir, drive, "seq-direct.bin")).size).toBe(4 << 20);
  }
});
