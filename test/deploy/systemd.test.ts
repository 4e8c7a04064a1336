/** scripts/install.sh into a private prefix, and the unit it installs checked by `systemd-analyze verify`. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "../..");
const prefix = mkdtempSync(join(tmpdir(), "cairn-install-"));
afterAll(() => rmSync(prefix, { recursive: true, force: true }));

const hasSystemd = Bun.which("systemd-analyze") !== null;

function verify(unitText: string) {
  // verify needs the ExecStart binary to exist: point the copy at the prefix's install.
  const unit = join(prefix, "cairn.service");
  writeFileSync(unit, unitText.replaceAll("/usr/local/bin/cairn", join(prefix, "usr/local/bin/cairn")));
  const r = Bun.spawnSync(["systemd-analyze", "verify", "--man=no", unit]);
  return { code: r.exitCode, err: r.stderr.toString() };
}

test("install.sh lays out binary, unit and defaults, and keeps an edited defaults file", () => {
  const run = () => Bun.spawnSync(["bash", join(root, "scripts/install.sh"), "--binary", "/bin/true", "--prefix", prefix]);
  expect(run().exitCode).toBe(0);
  expect(statSync(join(prefix, "usr/local/bin/cairn")).mode & 0o777).toBe(0o755);
  const defaults = join(prefix, "etc/default/cairn");
  expect(readFileSync(defaults, "utf8")).toContain("CAIRN_VOLUMES=");
  writeFileSync(defaults, "CAIRN_VOLUMES=/mnt/disk{1...4}\n");
  expect(run().exitCode).toBe(0);
  expect(readFileSync(defaults, "utf8")).toBe("CAIRN_VOLUMES=/mnt/disk{1...4}\n");
});

test.skipIf(!hasSystemd)("systemd-analyze verify accepts the unit with no warnings", () => {
  const unit = readFileSync(join(prefix, "etc/systemd/system/cairn.service"), "utf8");
  expect(unit).toContain("EnvironmentFile=-/etc/default/cairn");
  expect(unit).toContain("LimitNOFILE=");
  expect(unit).toMatch(/^User=cairn$/m);
  expect(verify(unit)).toEqual({ code: 0, err: "" });
});

test.skipIf(!hasSystemd)("systemd-analyze verify rejects a broken unit (the check bites)", () => {
  const unit = readFileSync(join(prefix, "etc/systemd/system/cairn.service"), "utf8");
  const broken = verify(unit.replace("Restart=always", "Restart=sometimes"));
  expect(broken.err).toContain("Failed to parse service restart specifier");
});
