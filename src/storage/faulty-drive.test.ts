import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DriveError, FaultyDrive, LocalDrive } from "./index";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const kindOf = (p: Promise<unknown>) => p.then(() => "none", (e: unknown) => (e instanceof DriveError ? e.kind : "other"));

let root: string;
let drive: FaultyDrive;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "cairn-faulty-"));
  drive = new FaultyDrive(await LocalDrive.open(root));
  await drive.makeVolume("v");
});
afterEach(() => rm(root, { recursive: true, force: true }));

test("passes everything through without rules", async () => {
  const w = await drive.createSysWriter("tmp/s/dd/part.1");
  await w.write(enc("data"));
  await w.close();
  await drive.commit("v", "k", enc("meta"), { staging: "tmp/s", dataDir: "dd" });
  expect(dec(await drive.readMeta("v", "k"))).toBe("meta");
  expect(dec(await drive.readFile("v", "k", "dd", "part.1", 0, 4))).toBe("data");
  const keys: string[] = [];
  for await (const e of drive.walk("v")) keys.push(e.key);
  expect(keys).toEqual(["k"]);
  expect(drive.calls.get("readMeta")).toBe(1);
});

test("rules fire on chosen calls, after skip, for a number of times, and can be removed", async () => {
  await drive.writeMeta("v", "a", enc("A"));
  await drive.writeMeta("v", "b", enc("B"));
  const remove = drive.inject({ at: ["readMeta"], match: (args) => args[1] === "a", effect: "FileCorrupt", skip: 1, times: 2 });
  expect(await kindOf(drive.readMeta("v", "a"))).toBe("none"); // skipped
  expect(await kindOf(drive.readMeta("v", "b"))).toBe("none"); // does not match
  expect(await kindOf(drive.readMeta("v", "a"))).toBe("FileCorrupt");
  expect(await kindOf(drive.readMeta("v", "a"))).toBe("FileCorrupt");
  expect(await kindOf(drive.readMeta("v", "a"))).toBe("none"); // times exhausted
  remove();
  drive.inject({ at: ["writer.write"], effect: "DiskFull" });
  const w = await drive.createSysWriter("tmp/x/f");
  expect(await kindOf(w.write(enc("x")))).toBe("DiskFull");
  await w.abort();
});

test("corrupt reads flip bytes; offline fails everything", async () => {
  await drive.writeMeta("v", "a", enc("AAAA"));
  drive.inject({ at: ["readMeta"], effect: "corrupt", times: 1 });
  expect(dec(await drive.readMeta("v", "a"))).not.toBe("AAAA");
  expect(dec(await drive.readMeta("v", "a"))).toBe("AAAA");
  drive.offline = true;
  expect(drive.isOnline()).toBe(false);
  expect(await kindOf(drive.listVolumes())).toBe("DriveOffline");
  drive.clear();
  expect(await kindOf(drive.listVolumes())).toBe("none");
});
