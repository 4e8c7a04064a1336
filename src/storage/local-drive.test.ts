import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DriveError, type DriveErrorKind, type FormatInfo, LocalDrive } from "./index";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function expectDriveError(p: Promise<unknown>, kind: DriveErrorKind): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DriveError);
  expect((err as DriveError).kind).toBe(kind);
}

async function collect(it: AsyncIterable<{ key: string; meta: Uint8Array }>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(e.key);
  return out;
}

let root: string;
let drive: LocalDrive;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-drive-"));
  drive = await LocalDrive.open(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("format.json", () => {
  const format: FormatInfo = { version: 1, deploymentId: "dep", driveId: "d1", sets: [["d1", "d2"]], parity: 1 };

  test("absent, written, read back; corrupt is FileCorrupt", async () => {
    expect(await drive.readFormat()).toBeNull();
    await drive.writeFormat(format);
    expect(await drive.readFormat()).toEqual(format);
    await writeFile(join(root, ".cairn.sys/format.json"), "{not json");
    await expectDriveError(drive.readFormat(), "FileCorrupt");
  });
});

describe("volumes", () => {
  test("make, list, stat, delete", async () => {
    await drive.makeVolume("b1");
    await drive.makeVolume("a1");
    await expectDriveError(drive.makeVolume("a1"), "VolumeExists");
    expect((await drive.listVolumes()).map((v) => v.name)).toEqual(["a1", "b1"]);
    expect((await drive.statVolume("a1")).created).toBeInstanceOf(Date);
    await expectDriveError(drive.statVolume("zz"), "VolumeNotFound");
    await drive.deleteVolume("a1");
    await expectDriveError(drive.deleteVolume("a1"), "VolumeNotFound");
    expect((await drive.listVolumes()).map((v) => v.name)).toEqual(["b1"]);
  });

  test("dot names and lost+found are never volumes", async () => {
    await expectDriveError(drive.makeVolume(".cairn.sys"), "InvalidPath");
    await expectDriveError(drive.makeVolume(".."), "InvalidPath");
    await mkdir(join(root, "lost+found"));
    await mkdir(join(root, ".trash"));
    expect(await drive.listVolumes()).toEqual([]);
  });

  test("a volume with objects is not empty unless forced; leftover empty dirs do not count", async () => {
    await drive.makeVolume("v");
    await drive.writeMeta("v", "a/b", enc("m"));
    await expectDriveError(drive.deleteVolume("v"), "VolumeNotEmpty");
    await drive.deleteVolume("v", { force: true });
    await expectDriveError(drive.statVolume("v"), "VolumeNotFound");
    await drive.makeVolume("w");
    await mkdir(join(root, "w/x/y"), { recursive: true });
    await drive.deleteVolume("w");
    expect(existsSync(join(root, "w"))).toBe(false);
  });
});

describe("objects", () => {
  beforeEach(() => drive.makeVolume("v"));

  test("writeMeta / readMeta round trip; absent key and volume", async () => {
    await drive.writeMeta("v", "a/b/c", enc("meta-1"));
    expect(dec(await drive.readMeta("v", "a/b/c"))).toBe("meta-1");
    await drive.writeMeta("v", "a/b/c", enc("meta-2"));
    expect(dec(await drive.readMeta("v", "a/b/c"))).toBe("meta-2");
    await expectDriveError(drive.readMeta("v", "a/b"), "FileNotFound");
    await expectDriveError(drive.readMeta("nope", "a"), "VolumeNotFound");
    await expectDriveError(drive.writeMeta("nope", "a", enc("x")), "VolumeNotFound");
    expect(existsSync(join(root, "nope"))).toBe(false);
  });

  test("a key and its prefix, trailing slashes and internal-looking names coexist", async () => {
    const keys = ["a", "a/b", "a/", "photos/", "photos", "xl.meta", "a/~xl.meta", "~", "x".repeat(1024), "%2e"];
    for (const k of keys) await drive.writeMeta("v", k, enc(`m:${k}`));
    for (const k of keys) expect(dec(await drive.readMeta("v", k))).toBe(`m:${k}`);
    expect(await collect(drive.walk("v"))).toEqual([...keys].sort());
  });

  test("commit moves staged data beside xl.meta and leaves the rest of the staging dir to its caller", async () => {
    // Another data dir staged beside it (heal stages several versions in one dir).
    await drive.writeSysFile("tmp/up1/dd2/part.1", enc("other"));
    const w = await drive.createSysWriter("tmp/up1/dd1/part.1");
    let head = 0;
    for (let i = 0; i < 100; i++) {
      const chunk = enc(`chunk-${i};`);
      head += chunk.length;
      await w.write(chunk);
    }
    await w.write(new Uint8Array(3 << 20).fill(7)); // larger than the writer's buffer
    await w.close();
    await drive.commit("v", "obj", enc("meta"), { staging: "tmp/up1", dataDir: "dd1" });
    expect(dec(await drive.readMeta("v", "obj"))).toBe("meta");
    expect(dec(await drive.readFile("v", "obj", "dd1", "part.1", 0, 8))).toBe("chunk-0;");
    expect(dec(await drive.readFile("v", "obj", "dd1", "part.1", 8, 8))).toBe("chunk-1;");
    const tail = await drive.readFile("v", "obj", "dd1", "part.1", head + (3 << 20) - 4, 4);
    expect([...tail]).toEqual([7, 7, 7, 7]);
    await expectDriveError(drive.readFile("v", "obj", "dd1", "part.1", head + (3 << 20) - 4, 5), "FileCorrupt");
    expect(existsSync(join(root, ".cairn.sys/tmp/up1/dd1"))).toBe(false);
    expect(existsSync(join(root, ".cairn.sys/tmp/up1/dd2/part.1"))).toBe(true);
    await drive.deleteSys("tmp/up1");
  });

  test("commit with a file list keeps only the listed files", async () => {
    for (const f of ["part.1", "part.2", "part.3"]) await drive.writeSysFile(`multipart/h/u1/dd/${f}`, enc(f));
    await drive.commit("v", "mp", enc("meta"), { staging: "multipart/h/u1", dataDir: "dd", files: ["part.1", "part.3"] });
    expect(dec(await drive.readFile("v", "mp", "dd", "part.3", 0, 6))).toBe("part.3");
    await expectDriveError(drive.readFile("v", "mp", "dd", "part.2", 0, 1), "FileNotFound");
    // The upload's staging stays (the caller removes it once the completion reached quorum).
    expect(await drive.listSysDir("multipart/h/u1/dd")).toEqual(["part.2"]);
  });

  test("restoreStaged moves a file-list commit's files back into the upload", async () => {
    for (const f of ["part.1", "part.2"]) await drive.writeSysFile(`multipart/h/u2/dd/${f}`, enc(f));
    const source = { staging: "multipart/h/u2", dataDir: "dd", files: ["part.1", "part.2"] };
    await drive.commit("v", "mp2", enc("meta"), source);
    await drive.restoreStaged("v", "mp2", source);
    expect((await drive.listSysDir("multipart/h/u2/dd")).sort()).toEqual(["part.1", "part.2"]);
    expect(dec(await drive.readSysFile("multipart/h/u2/dd/part.2"))).toBe("part.2");
    await expectDriveError(drive.readFile("v", "mp2", "dd", "part.1", 0, 1), "FileNotFound");
  });

  test("deleteDataDir and deleteObject remove data and prune empty parents", async () => {
    await drive.writeSysFile("tmp/s/dd/part.1", enc("x"));
    await drive.commit("v", "p/q/r", enc("m"), { staging: "tmp/s", dataDir: "dd" });
    await drive.writeMeta("v", "p/z", enc("m"));
    await drive.deleteDataDir("v", "p/q/r", "dd");
    await expectDriveError(drive.readFile("v", "p/q/r", "dd", "part.1", 0, 1), "FileNotFound");
    await expectDriveError(drive.deleteDataDir("v", "p/q/r", "dd"), "FileNotFound");
    await drive.deleteObject("v", "p/q/r");
    await expectDriveError(drive.readMeta("v", "p/q/r"), "FileNotFound");
    await expectDriveError(drive.deleteObject("v", "p/q/r"), "FileNotFound");
    expect(await readdir(join(root, "v/p"))).toEqual(["z"]);
    await drive.deleteObject("v", "p/z");
    expect(await readdir(join(root, "v"))).toEqual([]);
  });

  test("commits racing with deletes that prune the same parents all succeed", async () => {
    // Deleting the only key under p/q removes p/q and p; a commit to a sibling must still land.
    for (let i = 0; i < 20; i++) {
      await drive.writeMeta("v", `p/q/old${i}`, enc("o"));
      await Promise.all([drive.deleteObject("v", `p/q/old${i}`), drive.commit("v", `p/q/new${i}`, enc(`n${i}`), null)]);
      expect(dec(await drive.readMeta("v", `p/q/new${i}`))).toBe(`n${i}`);
      await drive.deleteObject("v", `p/q/new${i}`);
    }
    expect(await readdir(join(root, "v"))).toEqual([]);
  });

  test("deleting a prefix object keeps the longer keys", async () => {
    await drive.writeMeta("v", "a", enc("1"));
    await drive.writeMeta("v", "a/b", enc("2"));
    await drive.deleteObject("v", "a");
    expect(await collect(drive.walk("v"))).toEqual(["a/b"]);
  });
});

describe("system area", () => {
  test("write, read, range, list, delete", async () => {
    await drive.writeSysFile("buckets/b/policy.json", enc("{}"));
    await drive.writeSysFile("buckets/b/tags.xml", enc("<t/>"));
    expect(dec(await drive.readSysFile("buckets/b/policy.json"))).toBe("{}");
    expect(dec(await drive.readSysFileRange("buckets/b/tags.xml", 1, 2))).toBe("t/");
    expect(await drive.listSysDir("buckets/b")).toEqual(["policy.json", "tags.xml"]);
    await drive.deleteSys("buckets/b");
    await expectDriveError(drive.readSysFile("buckets/b/policy.json"), "FileNotFound");
    await expectDriveError(drive.deleteSys("buckets/b"), "FileNotFound");
  });

  test("an aborted writer leaves nothing; cleanupTmp empties tmp", async () => {
    const w = await drive.createSysWriter("tmp/x/dd/part.1");
    await w.write(enc("abc"));
    await w.abort();
    await expectDriveError(drive.readSysFile("tmp/x/dd/part.1"), "FileNotFound");
    await drive.writeSysFile("tmp/y/z", enc("left over"));
    await drive.cleanupTmp();
    expect(await readdir(join(root, ".cairn.sys/tmp"))).toEqual([]);
  });

  test("diskInfo reports the filesystem", async () => {
    const info = await drive.diskInfo();
    expect(info.total).toBeGreaterThan(0);
    expect(info.free).toBeGreaterThan(0);
    expect(info.free).toBeLessThanOrEqual(info.total);
    expect(info.inodesTotal).toBeGreaterThanOrEqual(info.inodesFree);
  });
});

test("a missing key is FileNotFound; once this drive deletes its volume, VolumeNotFound at once", async () => {
  for (const force of [false, true]) {
    await drive.makeVolume("v");
    if (force) await drive.writeMeta("v", "other", enc("m"));
    await expectDriveError(drive.readMeta("v", "k"), "FileNotFound");
    await expectDriveError(drive.readMeta("v", "k"), "FileNotFound"); // the volume as seen a moment ago
    await drive.deleteVolume("v", { force });
    await expectDriveError(drive.readMeta("v", "k"), "VolumeNotFound");
    await expectDriveError(drive.readFile("v", "k", "dd", "part.1", 0, 1), "VolumeNotFound");
  }
});
