import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { libraryInfo } from "./index";

const probe = join(import.meta.dir, "../test/fixtures/ffi-probe.ts");
/** Child bun processes on a busy shared machine can take seconds to start; bun's default is 5 s. */
const SPAWN_TIMEOUT = 30_000;
const SYSTEM_LIBS = ["liberasurecode.so.1", "libisal.so.2", "libXorcode.so.1"].map((l) => `/usr/lib/x86_64-linux-gnu/${l}`);

function runProbe(env: Record<string, string>, wrap: (cmd: string[]) => string[] = (c) => c) {
  const result = Bun.spawnSync(wrap([process.execPath, probe]), { env: { ...process.env, ...env } });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

test("loads liberasurecode 1.6.2: the system copy when installed, else the embedded one", () => {
  const info = libraryInfo();
  expect(info.version).toBe("1.6.2");
  const system = process.env.CAIRN_FFI_EMBEDDED !== "1" && SYSTEM_LIBS.slice(0, 1).every((l) => existsSync(l));
  expect(info.source).toBe(system ? "system" : "embedded");
});

describe("embedded copy", () => {
  test("CAIRN_FFI_EMBEDDED=1 loads it, ISA-L is available, and the temp copy is removed", () => {
    const tmp = mkdtempSync(join(tmpdir(), "cairn-ffi-test-"));
    try {
      const out = runProbe({ CAIRN_FFI_EMBEDDED: "1", TMPDIR: tmp });
      expect(out.stderr).toBe("");
      expect(JSON.parse(out.stdout)).toEqual({ source: "embedded", embeddedIsal: true, version: "1.6.2", isal: true, roundTrip: true });
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, SPAWN_TIMEOUT);

  const hide = SYSTEM_LIBS.map((l) => `mount --bind /dev/null ${l}`).join(" && ");
  const hidden = (cmd: string[]) => ["unshare", "-m", "sh", "-c", `${hide} && exec "$0" "$@"`, ...cmd];
  const canHide = Bun.spawnSync(["unshare", "-m", "sh", "-c", `${hide} && true`]).exitCode === 0;
  const reason = "unshare -m / mount --bind not permitted here (needs root or CAP_SYS_ADMIN)";

  test.skipIf(!canHide)(`works with the system copies hidden in a private mount namespace${canHide ? "" : ` (skipped: ${reason})`}`, () => {
    const out = runProbe({}, hidden);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ source: "embedded", isal: true, roundTrip: true });
  }, SPAWN_TIMEOUT);

  test.skipIf(!canHide)("a system liberasurecode without libisal2 borrows the embedded ISA-L", () => {
    const hideIsal = `mount --bind /dev/null ${SYSTEM_LIBS[1]}`;
    const out = runProbe({}, (cmd) => ["unshare", "-m", "sh", "-c", `${hideIsal} && exec "$0" "$@"`, ...cmd]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ source: "system", embeddedIsal: true, isal: true, roundTrip: true });
  }, SPAWN_TIMEOUT);

  test.skipIf(!canHide)("a noexec temp dir is skipped for the next candidate (/dev/shm)", () => {
    const mountPoint = mkdtempSync(join(tmpdir(), "cairn-noexec-"));
    try {
      const noexec = `mount -t tmpfs -o noexec tmpfs ${mountPoint} && ${hide}`;
      const out = runProbe({ TMPDIR: mountPoint }, (cmd) => ["unshare", "-m", "sh", "-c", `${noexec} && exec "$0" "$@"`, ...cmd]);
      expect(out.code).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({ source: "embedded", isal: true, roundTrip: true });
    } finally {
      rmSync(mountPoint, { recursive: true, force: true });
    }
  }, SPAWN_TIMEOUT);

  test.skipIf(!canHide)("with neither copy usable, the typed error names the Debian packages", () => {
    const noShm = (cmd: string[]) => ["unshare", "-m", "sh", "-c", `${hide} && mount -t tmpfs -o ro tmpfs /dev/shm && exec "$0" "$@"`, ...cmd];
    const out = runProbe({ TMPDIR: "/nonexistent/cairn", HOME: "/nonexistent/home", CAIRN_FFI_DIR: "/nonexistent/ffi" }, noShm);
    expect(out.code).toBe(3);
    const { error, message } = JSON.parse(out.stdout) as { error: string; message: string };
    expect(error).toBe("ELIBRARYMISSING");
    expect(message).toContain("liberasurecode1");
    expect(message).toContain("libisal2");
  }, SPAWN_TIMEOUT);
});
