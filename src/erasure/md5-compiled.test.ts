/**
 * The MD5 worker is built from a Blob URL so that `bun build --compile` needs no extra entry
 * point: prove a compiled executable really hashes in the worker (not the in-thread fallback).
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileAndRun } from "../../test/compiled";

test("a compiled executable hashes large bodies in the worker", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-md5-compiled-"));
  try {
    const stdout = compileAndRun(
      dir,
      `import { StreamMd5 } from ${JSON.stringify(join(import.meta.dir, "md5.ts"))};
const block = new Uint8Array(new SharedArrayBuffer(1 << 20)).fill(7);
const md5 = new StreamMd5();
await md5.update(block);
const where = md5.where;
console.log(where, await md5.hex(), new Bun.CryptoHasher("md5").update(block).digest("hex"));
process.exit(0);
`,
    );
    const [where, got, want] = stdout.split(" ");
    expect(where).toBe("worker");
    expect(got).toBe(want!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000); // compiling a ~100 MB executable on a busy 2-core machine
