/** Path escapes and offline handling, on real directories. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DriveError, type DriveErrorKind, LocalDrive } from "./index";

const enc = (s: string) => new TextEncoder().encode(s);

async function errorKind(p: Promise<unknown>): Promise<DriveErrorKind | "none"> {
  return p.then(
    () => "none" as const,
    (e: unknown) => {
      if (!(e instanceof DriveError)) throw e;
      return e.kind;
    },
  );
}

let parent: string;
let root: string;
let outside: string;

beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), "cairn-safety-"));
  outside = await mkdtemp(join(tmpdir(), "cairn-outside-"));
  root = join(parent, "drive");
  await mkdir(root);
});
afterEach(async () => {
  spawnSync("chattr", ["-R", "-i", parent], { stdio: "ignore" });
  await rm(parent, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("nothing escapes the drive root", () => {
  test("hostile keys, volumes and system paths are InvalidPath or stay inside", async () => {
    const drive = await LocalDrive.open(root);
    await drive.makeVolume("v");
    const badKeys = ["../x", "a/../../x", "..", "/etc/passwd", "a\0b", "a//b", "x".repeat(1025), "\ud800"];
    for (const key of badKeys) {
      expect(await errorKind(drive.writeMeta("v", key, enc("x")))).toBe("InvalidPath");
      expect(await errorKind(drive.readMeta("v", key))).toBe("InvalidPath");
      expect(await errorKind(drive.commit("v", key, enc("x"), null))).toBe("InvalidPath");
      expect(await errorKind(drive.deleteObject("v", key))).toBe("InvalidPath");
    }
    for (const vol of ["..", "../x", "/abs", ".cairn.sys", "a/b", ""]) {
      expect(await errorKind(drive.makeVolume(vol))).toBe("InvalidPath");
      expect(await errorKind(drive.writeMeta(vol, "k", enc("x")))).toBe("InvalidPath");
    }
    for (const p of ["../escape", "/abs", "tmp/../../escape", "", "a\0"]) {
      expect(await errorKind(drive.writeSysFile(p, enc("x")))).toBe("InvalidPath");
      expect(await errorKind(drive.createSysWriter(p))).toBe("InvalidPath");
    }
    expect(await errorKind(drive.readFile("v", "k", "../..", "x", 0, 1))).toBe("InvalidPath");
    expect(await errorKind(drive.readFile("v", "k", "d", "../../../x", 0, 1))).toBe("InvalidPath");
    const staging = { staging: "tmp/s", dataDir: "../../../../escape" };
    expect(await errorKind(drive.commit("v", "k", enc("x"), staging))).toBe("InvalidPath");
    expect(await readdir(parent)).toEqual(["drive"]);
    expect(await readdir(root)).toEqual([".cairn.sys", "v"].sort());
  });

  test("keys that look like escapes are ordinary objects inside the volume", async () => {
    const drive = await LocalDrive.open(root);
    await drive.makeVolume("v");
    await drive.writeFormat({ version: 1, deploymentId: "d", driveId: "x", sets: [["x"]], parity: 0 });
    const keys = ["%2e%2e/x", ".cairn.sys/format.json", "..a", "~xl.meta", "a/.../b", "%2F..%2Fx"];
    for (const key of keys) await drive.writeMeta("v", key, enc(`k:${key}`));
    for (const key of keys) expect(new TextDecoder().decode(await drive.readMeta("v", key))).toBe(`k:${key}`);
    expect((await drive.readFormat())?.driveId).toBe("x");
    expect(await readdir(parent)).toEqual(["drive"]);
    expect(await readdir(root)).toEqual([".cairn.sys", "v"].sort());
  });

  test("symlinks planted in the drive are not followed out of the root", async () => {
    const drive = await LocalDrive.open(root);
    await drive.makeVolume("v");
    await mkdir(join(outside, "k"));
    await writeFile(join(outside, "k", "~xl.meta"), "secret");
    await symlink(outside, join(root, "v", "link"));
    await symlink(outside, join(root, "vlink"));
    expect(await errorKind(drive.writeMeta("v", "link/new", enc("x")))).toBe("InvalidPath");
    expect(await errorKind(drive.readMeta("v", "link/k"))).toBe("InvalidPath");
    expect(await errorKind(drive.deleteObject("v", "link/k"))).toBe("InvalidPath");
    expect(await errorKind(drive.writeMeta("vlink", "k2", enc("x")))).toBe("InvalidPath");
    expect(await errorKind(drive.readMeta("vlink", "k"))).toBe("InvalidPath");
    expect((await readdir(outside)).sort()).toEqual(["k"]);
    expect(await readdir(join(outside, "k"))).toEqual(["~xl.meta"]);
    expect((await drive.listVolumes()).map((v) => v.name)).toEqual(["v"]);
  });
});

describe("offline handling", () => {
  // Root ignores permission bits, so faults come from the tree itself: a directory replaced by a
  // file gives ENOTDIR, and (where the filesystem allows) `chattr +i` gives EPERM even to root.
  async function breakTmp(): Promise<void> {
    await rm(join(root, ".cairn.sys/tmp"), { recursive: true });
    await writeFile(join(root, ".cairn.sys/tmp"), "not a directory");
  }
  async function repairTmp(): Promise<void> {
    await rm(join(root, ".cairn.sys/tmp"));
    await mkdir(join(root, ".cairn.sys/tmp"));
  }

  test("repeated ENOTDIR takes the drive offline; the probe brings it back", async () => {
    const drive = await LocalDrive.open(root, { faultThreshold: 3, probeIntervalMs: 0 });
    await drive.makeVolume("v");
    await drive.writeMeta("v", "k", enc("before"));
    await breakTmp();
    for (let i = 0; i < 3; i++) expect(await errorKind(drive.writeMeta("v", "k", enc("x")))).toBe("Faulty");
    expect(drive.isOnline()).toBe(false);
    // The probe (a write through tmp) still fails, so even a healthy path is refused.
    expect(await errorKind(drive.readMeta("v", "k"))).toBe("DriveOffline");
    expect(drive.isOnline()).toBe(false);
    await repairTmp();
    expect(new TextDecoder().decode(await drive.readMeta("v", "k"))).toBe("before");
    expect(drive.isOnline()).toBe(true);
    await drive.writeMeta("v", "k", enc("after"));
    expect(new TextDecoder().decode(await drive.readMeta("v", "k"))).toBe("after");
  });

  test("while offline, calls fail fast until the probe interval has passed", async () => {
    const drive = await LocalDrive.open(root, { faultThreshold: 2, probeIntervalMs: 3_600_000 });
    await drive.makeVolume("v");
    await breakTmp();
    for (let i = 0; i < 2; i++) await errorKind(drive.writeMeta("v", "k", enc("x")));
    await repairTmp();
    expect(await errorKind(drive.listVolumes())).toBe("DriveOffline");
    expect(await errorKind(drive.diskInfo())).toBe("DriveOffline");
    expect(drive.isOnline()).toBe(false);
  });

  test("absent files and full-size reads are not faults", async () => {
    const drive = await LocalDrive.open(root, { faultThreshold: 2, probeIntervalMs: 0 });
    await drive.makeVolume("v");
    for (let i = 0; i < 10; i++) expect(await errorKind(drive.readMeta("v", `missing-${i}`))).toBe("FileNotFound");
    for (let i = 0; i < 10; i++) expect(await errorKind(drive.readMeta("nov", "k"))).toBe("VolumeNotFound");
    expect(drive.isOnline()).toBe(true);
  });

  test("a vanished drive root is a fault, not a missing file", async () => {
    const drive = await LocalDrive.open(root, { faultThreshold: 2, probeIntervalMs: 0 });
    await drive.makeVolume("v");
    await rm(root, { recursive: true });
    expect(await errorKind(drive.readMeta("v", "k"))).toBe("Faulty");
    expect(await errorKind(drive.readMeta("v", "k"))).toBe("Faulty");
    expect(drive.isOnline()).toBe(false);
    await mkdir(join(root, ".cairn.sys/tmp"), { recursive: true });
    expect(await errorKind(drive.listVolumes())).toBe("none");
    expect(drive.isOnline()).toBe(true);
  });

  test("a drive that cannot be opened starts offline and comes online once it can", async () => {
    await rm(root, { recursive: true });
    await writeFile(root, "a file where the drive should be");
    const drive = await LocalDrive.open(root, { probeIntervalMs: 0 });
    expect(drive.isOnline()).toBe(false);
    expect(await errorKind(drive.listVolumes())).toBe("DriveOffline");
    await rm(root);
    await mkdir(root);
    expect(await errorKind(drive.makeVolume("v"))).toBe("none");
    expect(drive.isOnline()).toBe(true);
  });

  const chattr = spawnSync("chattr", ["--help"], { stdio: "ignore" }).error === undefined;
  test.skipIf(!chattr)("EPERM from an immutable tmp dir (chattr +i) takes the drive offline and back", async () => {
    const drive = await LocalDrive.open(root, { faultThreshold: 3, probeIntervalMs: 0 });
    await drive.makeVolume("v");
    const tmp = join(root, ".cairn.sys/tmp");
    if (spawnSync("chattr", ["+i", tmp]).status !== 0) {
      console.warn("chattr +i not supported on this filesystem; EPERM case not exercised");
      return;
    }
    for (let i = 0; i < 3; i++) expect(await errorKind(drive.writeMeta("v", "k", enc("x")))).toBe("Faulty");
    expect(drive.isOnline()).toBe(false);
    expect(await errorKind(drive.readMeta("v", "k"))).toBe("DriveOffline");
    spawnSync("chattr", ["-i", tmp]);
    await drive.writeMeta("v", "k", enc("x"));
    expect(drive.isOnline()).toBe(true);
    expect(existsSync(join(root, "v"))).toBe(true);
  });
});
