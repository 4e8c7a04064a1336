import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "./address";
import { bindError, checkDrives } from "./preflight";

const root = mkdtempSync(join(tmpdir(), "cairn-preflight-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
function fresh(): string {
  const dir = join(root, `t${++seq}`);
  mkdirSync(dir);
  return dir;
}

function problem(drives: string[]): string {
  try {
    checkDrives(drives);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  return "no error";
}

describe("checkDrives", () => {
  test("a single missing directory is created, parents included (as MinIO does)", () => {
    const d = join(fresh(), "a", "b", "data");
    checkDrives([d]);
    expect(existsSync(d)).toBe(true);
  });

  test("a multi-drive set with every path missing is created (a first start)", () => {
    const base = fresh();
    const drives = [1, 2, 3, 4].map((i) => join(base, `d${i}`));
    checkDrives(drives);
    expect(drives.every((d) => existsSync(d))).toBe(true);
  });

  test("a multi-drive set with some paths missing is refused and nothing is created", () => {
    const base = fresh();
    const drives = [1, 2, 3, 4].map((i) => join(base, `d${i}`));
    mkdirSync(drives[0]!);
    mkdirSync(drives[2]!);
    expect(problem(drives)).toBe(
      `drive ${drives[1]} does not exist (2 of 4 drives missing): mount the disk or create the directory ` +
        `(mkdir -p ${drives[1]} ${drives[3]}), or fix the path`,
    );
    expect(existsSync(drives[1]!)).toBe(false);
  });

  test("a file where a drive should be", () => {
    const f = join(fresh(), "file");
    writeFileSync(f, "x");
    expect(problem([f])).toBe(`drive ${f} is not a directory: give a directory path`);
    expect(problem([join(f, "below")])).toContain("a part of the path is a file");
  });

  test("a MinIO volume is refused; one Cairn has already formatted is accepted", () => {
    const d = fresh();
    mkdirSync(join(d, ".minio.sys"));
    expect(problem([d])).toContain("holds MinIO data (.minio.sys), which Cairn cannot read");
    mkdirSync(join(d, ".cairn.sys"));
    writeFileSync(join(d, ".cairn.sys", "format.json"), "{}");
    expect(problem([d])).toBe("no error");
  });

  test("URL drives are refused before anything is created", () => {
    expect(problem(["http://node{1...4}:9000/d"])).toContain("is on another node");
    expect(problem(["HTTPS://node1:9000/d"])).toContain("is on another node");
  });
});

describe("bindError", () => {
  const errno = (code: string) => Object.assign(new Error("bind failed"), { code });

  test("EADDRINUSE names the address and the flag for S3 and the console", () => {
    expect(bindError(errno("EADDRINUSE"), "S3", ":9000")?.message).toBe(
      "S3 address :9000 is already in use: stop the other process or choose another port with --address / CAIRN_ADDRESS",
    );
    expect(bindError(errno("EADDRINUSE"), "console", ":9001")?.message).toContain("--console-address / CAIRN_CONSOLE_ADDRESS");
  });

  test("EACCES explains privileged ports; EADDRNOTAVAIL the host part", () => {
    expect(bindError(errno("EACCES"), "S3", ":80")?.message).toContain("ports below 1024 need root or CAP_NET_BIND_SERVICE");
    expect(bindError(errno("EADDRNOTAVAIL"), "S3", "10.9.9.9:9000")?.message).toContain("no such local IP address");
  });

  test("anything else is not a bind error", () => {
    expect(bindError(errno("ENOENT"), "S3", ":9000")).toBeNull();
    expect(bindError("not even an error", "S3", ":9000")).toBeNull();
  });
});
