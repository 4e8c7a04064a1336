/**
 * The probe workers run from a Blob URL, like the fsync workers: prove that a compiled
 * executable (as scripts/build.sh builds the server) probes through them, so a server binary's
 * listings do not silently depend on the async fallback or fail.
 */
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bun = join(import.meta.dir, "../../node_modules/.bin/bun");

test("a compiled executable probes object directories through the worker pool", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-probe-compiled-"));
  try {
    mkdirSync(join(dir, "vol", "key", "sub"), { recursive: true });
    writeFileSync(join(dir, "vol", "key", "~xl.meta"), "meta-bytes");
    const entry = join(dir, "entry.ts");
    writeFileSync(
      entry,
      `import { probeBatch, probePool } from ${JSON.stringify(join(import.meta.dir, "probe-workers.ts"))};
// --bytecode allows no top-level await.
void (async () => {
const vol = ${JSON.stringify(join(dir, "vol"))};
const [hit, none] = await probeBatch(${JSON.stringify(dir)}, [
  { abs: vol + "/key", meta: true, leaf: true },
  { abs: vol + "/absent", meta: true, leaf: true },
]);
console.log(probePool()?.started, new TextDecoder().decode(hit.meta), hit.leaf, none.meta, none.leaf);
process.exit(0);
})();
`,
    );
    const exe = join(dir, "probe-check");
    const build = Bun.spawnSync([bun, "build", "--compile", "--bytecode", entry, "--outfile", exe], { stderr: "pipe" });
    expect(build.exitCode, build.stderr.toString()).toBe(0);
    const run = Bun.spawnSync([exe], { stdout: "pipe", stderr: "pipe", timeout: 60_000 });
    expect(run.stderr.toString()).toBe("");
    expect(run.stdout.toString().trim()).toBe("1 meta-bytes false null true");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000); // compiling a ~100 MB executable on a busy 2-core machine
