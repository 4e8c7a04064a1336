/**
 * xl.meta written in place for a key new to the drive, and what a crash can leave of it (an
 * empty file) reading as absent. The drive runs on a real temp dir.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DriveError, LocalDrive } from "./index";
import { mkdirDurable, writeFileSynced } from "./fsutil";
import { IN_PLACE_MAX, writeMetaFile } from "./meta-write";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-metawrite-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** writeMetaFile over real dirs, recording when it falls back to the replace path. */
function writer() {
  const replaced: string[] = [];
  const deps = {
    makeDir: mkdirDurable,
    replace: async (path: string, data: Uint8Array) => {
      replaced.push(path);
      await mkdirDurable(dirname(path)); // as LocalDrive.atomicWrite's rename does
      await writeFileSynced(path, data);
    },
  };
  return { replaced, write: (path: string, data: Uint8Array) => writeMetaFile(path, data, deps) };
}

const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

test("a new key's one-page xl.meta is created in place, its directories made on the way", async () => {
  const { replaced, write } = writer();
  const path = join(root, "b/new/key/~xl.meta");
  await write(path, bytes(IN_PLACE_MAX));
  expect(replaced).toEqual([]);
  expect(new Uint8Array(readFileSync(path))).toEqual(bytes(IN_PLACE_MAX));
});

test("an existing xl.meta, or one larger than a page, goes through the replace path", async () => {
  const { replaced, write } = writer();
  const small = join(root, "k1/~xl.meta");
  await write(small, bytes(100, 1));
  await write(small, bytes(100, 2)); // exists now: never overwritten in place
  const large = join(root, "k2/~xl.meta");
  await write(large, bytes(IN_PLACE_MAX + 1));
  expect(replaced).toEqual([small, large]);
  expect(new Uint8Array(readFileSync(small))).toEqual(bytes(100, 2));
});

test("a crash's empty xl.meta reads as absent, is not walked, and the next commit replaces it", async () => {
  const drive = await LocalDrive.open(join(root, "drive"));
  await drive.makeVolume("v");
  await drive.commit("v", "done", bytes(50), null);
  // What a kill between the exclusive create and the write leaves on disk.
  mkdirSync(join(root, "drive/v/torn"));
  writeFileSync(join(root, "drive/v/torn/~xl.meta"), "");
  const err = await drive.readMeta("v", "torn").catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DriveError);
  expect((err as DriveError).kind).toBe("FileNotFound");
  const walked: string[] = [];
  for await (const e of drive.walk("v")) walked.push(e.key);
  expect(walked).toEqual(["done"]);
  await drive.commit("v", "torn", bytes(60, 3), null);
  expect(await drive.readMeta("v", "torn")).toEqual(bytes(60, 3));
  expect(readdirSync(join(root, "drive/.cairn.sys/tmp"))).toEqual([]);
});

test("a volume holding only a crash's empty xl.meta is empty: it can be deleted", async () => {
  const drive = await LocalDrive.open(join(root, "drive"));
  await drive.makeVolume("v");
  mkdirSync(join(root, "drive/v/torn"));
  writeFileSync(join(root, "drive/v/torn/~xl.meta"), "");
  await drive.deleteVolume("v");
  expect(readdirSync(join(root, "drive")).filter((n) => n === "v")).toEqual([]);
});

test("createMeta creates a new key's xl.meta in place, and changes nothing where one exists or it exceeds a page", async () => {
  const drive = await LocalDrive.open(join(root, "drive"));
  await drive.makeVolume("v");
  expect(await drive.createMeta("v", "a/new", bytes(40, 1))).toBe(true);
  expect(await drive.readMeta("v", "a/new")).toEqual(bytes(40, 1));
  // An existing xl.meta (here the one just made) is never overwritten: the caller must read first.
  expect(await drive.createMeta("v", "a/new", bytes(40, 2))).toBe(false);
  expect(await drive.readMeta("v", "a/new")).toEqual(bytes(40, 1));
  // A crash's empty leftover counts as existing here too (the commit path replaces it).
  mkdirSync(join(root, "drive/v/torn"));
  writeFileSync(join(root, "drive/v/torn/~xl.meta"), "");
  expect(await drive.createMeta("v", "torn", bytes(40, 3))).toBe(false);
  expect(readFileSync(join(root, "drive/v/torn/~xl.meta")).length).toBe(0);
  expect(await drive.createMeta("v", "big", bytes(IN_PLACE_MAX + 1))).toBe(false);
  expect(readdirSync(join(root, "drive/v")).sort()).toEqual(["a", "torn"]);
  const err = await drive.createMeta("nope", "k", bytes(10)).catch((e: unknown) => e);
  expect((err as DriveError).kind).toBe("VolumeNotFound");
});

test("createMeta never creates through a symlink planted in the drive", async () => {
  const drive = await LocalDrive.open(join(root, "drive"));
  await drive.makeVolume("v");
  const outside = join(root, "outside");
  mkdirSync(join(outside, "k"), { recursive: true });
  symlinkSync(outside, join(root, "drive/v/link"));
  symlinkSync(join(outside, "k"), join(root, "drive/v/klink"));
  // The parent is the link; a missing dir below the link; the key dir itself is the link.
  for (const key of ["link/new", "link/a/b", "klink"]) {
    const err = await drive.createMeta("v", key, bytes(10)).catch((e: unknown) => e);
    expect((err as DriveError).kind, key).toBe("InvalidPath");
  }
  expect(readdirSync(outside)).toEqual(["k"]);
  expect(readdirSync(join(outside, "k"))).toEqual([]);
});
