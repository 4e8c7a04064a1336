/**
 * For tests that prove a piece still works inside a single executable (a worker built from a
 * Blob URL, an FFI call): compiles `source` with `bun build --compile`, as scripts/build.sh
 * builds the server, runs the result, and returns its trimmed stdout (stderr must stay empty).
 */
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const bun = join(import.meta.dir, "../node_modules/.bin/bun");

/** `dir` holds the entry and the executable; `bytecode` as the server build (no top-level await then). */
export function compileAndRun(dir: string, source: string, opts: { bytecode?: boolean } = {}): string {
  const entry = join(dir, "entry.ts");
  writeFileSync(entry, source);
  const exe = join(dir, "entry-compiled");
  const flags = opts.bytecode ? ["--bytecode"] : [];
  const build = Bun.spawnSync([bun, "build", "--compile", ...flags, entry, "--outfile", exe], { stderr: "pipe" });
  expect(build.exitCode, build.stderr.toString()).toBe(0);
  const run = Bun.spawnSync([exe], { stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  expect(run.stderr.toString()).toBe("");
  return run.stdout.toString().trim();
}
