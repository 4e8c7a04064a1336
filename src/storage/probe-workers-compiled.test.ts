/**
 * The probe workers run from a Blob URL, like the fsync workers: prove that a compiled
 * executable (as scripts/build.sh builds the server) probes through them, so a server binary's
 * listings do not silently depend on the async fallback or fail.
 */
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileAndRun } from "../../test/compiled";

test("a compiled executable probes object directories through the worker pool", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-probe-compiled-"));
  try {
    mkdirSync(join(dir, "vol", "key", "sub"), { recursive: true });
    writeFileSync(join(dir, "vol", "key", "~xl.meta"), "meta-bytes");
    const stdout = compileAndRun(
      dir,
      `import { probeBatch, probePool } from ${JSON.stringify(join(import.meta.dir, "probe-workers.ts"))};
// --bytecode allows no top-level await.
void (async () => {
const vol = ${JSON.stringify(join(dir, "vol"))};
const [hit, none] = await probeBatch(${JSON.stringify(dir)}, [
  { parent: vol, name: "key", meta: true, leaf: true },
  { parent: vol, name: "absent", meta: true, leaf: true },
]);
console.log(probePool()?.started, new TextDecoder().decode(hit.meta), hit.leaf, none.meta, none.leaf);
process.exit(0);
})();
`,
      { bytecode: true },
    );
    expect(stdout).toBe("1 meta-bytes false null true");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000); // compiling a ~100 MB executable on a busy 2-core machine
