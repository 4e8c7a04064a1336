/**
 * The compiled single executable: builds dist/cairn once with scripts/build.sh, then proves it
 * runs and that its embedded liberasurecode/ISA-L copy works, including on a "machine" where the
 * system copies are hidden (a private mount namespace with /dev/null bound over them).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };

const root = join(import.meta.dir, "../..");
const binary = join(root, "dist/cairn");
/** A 113 MB executable starting on a busy 2-core machine can take seconds; bun's default is 5 s. */
const SPAWN_TIMEOUT = 60_000;
const SYSTEM_LIBS = ["liberasurecode.so.1", "libisal.so.2", "libXorcode.so.1"].map((l) => `/usr/lib/x86_64-linux-gnu/${l}`);

/** Building is impossible only without a bun binary to compile with; then every case says so. */
const bunBinary = join(root, "node_modules/.bin/bun");
const cannotBuild = existsSync(bunBinary) ? null : `no ${bunBinary} to compile with (run scripts/setup.sh)`;

function run(cmd: string[], env: Record<string, string> = {}) {
  const result = Bun.spawnSync(cmd, { cwd: root, env: { ...process.env, ...env } });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

describe.skipIf(cannotBuild !== null)(`dist/cairn${cannotBuild ? ` (skipped: ${cannotBuild})` : ""}`, () => {
  beforeAll(() => {
    const build = run(["bash", "scripts/build.sh"]);
    if (build.code !== 0) throw new Error(`scripts/build.sh failed (${build.code}):\n${build.stdout}\n${build.stderr}`);
    console.log(`dist/cairn: ${(statSync(binary).size / 1e6).toFixed(1)} MB`);
  }, 180_000);

  test("--version prints the package version", () => {
    const out = run([binary, "--version"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`cairn ${pkg.version}\n`);
  }, SPAWN_TIMEOUT);

  test("selftest passes by default (system libraries when installed)", () => {
    const out = run([binary, "selftest", "--blocks", "8"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(SYSTEM_LIBS.every((l) => existsSync(l)) ? "(system copy)" : "(embedded copy");
    expect(out.stdout).toContain("selftest passed");
  }, SPAWN_TIMEOUT);

  test("CAIRN_FFI_EMBEDDED=1 selftest passes on the embedded copy, with ISA-L", () => {
    const out = run([binary, "selftest", "--blocks", "8"], { CAIRN_FFI_EMBEDDED: "1" });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("(embedded copy, embedded ISA-L)");
    expect(out.stdout).toMatch(/4\+2 +isa_l_rs_vand/);
    expect(out.stdout).toContain("selftest passed");
  }, SPAWN_TIMEOUT);

  const hide = SYSTEM_LIBS.map((l) => `mount --bind /dev/null ${l}`).join("; ");
  const canHide = Bun.spawnSync(["unshare", "-m", "sh", "-c", `${hide} && true`]).exitCode === 0;
  const reason = "unshare -m / mount --bind is not permitted here (needs root or CAP_SYS_ADMIN)";

  test.skipIf(!canHide)(`selftest passes with the system libraries hidden${canHide ? "" : ` (skipped: ${reason})`}`, () => {
    const stillVisible = SYSTEM_LIBS.map((l) => `[ -s ${l} ] && echo visible`).join("; ");
    const script = `${hide}; ${stillVisible}; exec ${binary} selftest --blocks 8`;
    const out = run(["unshare", "-m", "sh", "-c", script]);
    expect(out.stdout).not.toContain("visible");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("(embedded copy, embedded ISA-L)");
    expect(out.stdout).toContain("selftest passed");
  }, SPAWN_TIMEOUT);
});
