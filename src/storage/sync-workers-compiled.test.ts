/**
 * The fs worker is built from a Blob URL so that `bun build --compile` needs no extra entry
 * point: prove a compiled executable really writes and fsyncs through the pool (a worker that
 * cannot load node:fs there would fail every durable write of the server binary).
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileAndRun } from "../../test/compiled";

test("a compiled executable writes, fsyncs and (on Linux) syncfs's through the worker pool", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-syncw-compiled-"));
  try {
    const stdout = compileAndRun(
      dir,
      `import { SyncWorkers } from ${JSON.stringify(join(import.meta.dir, "sync-workers.ts"))};
// --bytecode (as scripts/build.sh builds the server) allows no top-level await.
void (async () => {
const pool = new SyncWorkers(2);
const out = ${JSON.stringify(join(dir, "out"))};
await pool.run({ op: "write", path: out, data: new TextEncoder().encode("durable") });
await pool.run({ op: "fsync", path: ${JSON.stringify(dir)} });
const missing = await pool.run({ op: "fsync", path: out + ".missing" }).then(() => "none", (e) => e.code);
// syncfs goes through bun:ffi inside the worker: group sync must work in the binary too.
let synced = "no syncfs off Linux";
if (process.platform === "linux") {
  const fd = await pool.ask<number>({ op: "syncfs-open", path: ${JSON.stringify(dir)} });
  await pool.run({ op: "syncfs", path: ${JSON.stringify(dir)}, fd });
  synced = "syncfs";
}
console.log(pool.started, missing, synced);
process.exit(0);
})();
`,
      { bytecode: true },
    );
    expect(stdout).toBe(`1 ENOENT ${process.platform === "linux" ? "syncfs" : "no syncfs off Linux"}`);
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("durable");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000); // compiling a ~100 MB executable on a busy 2-core machine
