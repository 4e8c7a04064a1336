/** The `cairn` entry point as a user meets it: help, version, unknown commands. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };

const main = join(import.meta.dir, "../src/main.ts");
function cairn(...args: string[]) {
  const r = Bun.spawnSync([process.execPath, main, ...args]);
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

test("--version prints the package version", () => {
  expect(cairn("--version")).toEqual({ code: 0, out: `cairn ${pkg.version}\n`, err: "" });
});

test("--help lists the commands and exits 0; no command at all exits 2 with the same help", () => {
  const help = cairn("--help");
  expect(help.code).toBe(0);
  expect(help.out).toContain("server");
  expect(help.out).toContain("selftest");
  expect(cairn().code).toBe(2);
});

test("an unknown command is named and exits 2", () => {
  const r = cairn("frobnicate");
  expect(r.code).toBe(2);
  expect(r.err).toContain("unknown command 'frobnicate'");
});

test("`minio server …` (MinIO compose files) is accepted as `server …`", () => {
  const r = cairn("minio", "--version");
  expect(r.out).toBe(`cairn ${pkg.version}\n`);
});

test("healthcheck fails with exit 1 when nothing listens", () => {
  const r = cairn("healthcheck", "http://127.0.0.1:1/minio/health/live");
  expect(r.code).toBe(1);
  expect(r.err).toContain("cairn healthcheck");
});

test("`version` alone prints the program version; `version enable ALIAS/BUCKET` reaches the versioning command", () => {
  expect(cairn("version").out).toBe(`cairn ${pkg.version}\n`);
  const r = cairn("version", "frobnicate", "nowhere/bucket");
  expect(r.out).not.toContain(`cairn ${pkg.version}`);
  expect(r.code).toBe(2);
});
