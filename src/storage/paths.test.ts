import { describe, expect, test } from "bun:test";
import {
  decodeEntry,
  EMPTY_SEGMENT,
  keyToRelDir,
  META_FILE,
  prefixToRelDir,
  segmentNames,
  sysRelPath,
  isSafeVolume,
  dataDirName,
} from "./paths";

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** Inverse of keyToRelDir built only from decodeEntry, as the walk does. */
function decodeRelDir(rel: string): string {
  let key = "";
  for (const name of rel.split("/")) {
    const d = decodeEntry(name);
    if (d === null) throw new Error(`undecodable ${name}`);
    key += d.text + (d.kind === "segment" ? "/" : "");
  }
  return key.slice(0, -1);
}

describe("keyToRelDir", () => {
  test.each([
    ["a", "a"],
    ["a/b/c", "a/b/c"],
    ["photos/", `photos/${EMPTY_SEGMENT}`],
    ["xl.meta", "xl.meta"],
    ["~xl.meta", "%7Exl.meta"],
    [".cairn.sys/x", "%2Ecairn.sys/x"],
    ["%2e%2e/x", "%252e%252e/x"],
    ["a~/~b~", "a%7E/%7Eb%7E"],
    ["~", "%7E"],
    ["..a/.b.", "%2E.a/%2Eb."],
    ["日本/😀", "日本/😀"],
  ])("%p → %p", (key, rel) => {
    expect(keyToRelDir(key)).toBe(rel);
    expect(decodeRelDir(rel)).toBe(key);
  });

  test("rejects invalid keys", () => {
    for (const key of ["", "../x", "a/../b", "/a", "a//b", "a\0b", "x".repeat(1025)]) {
      expect(() => keyToRelDir(key)).toThrow();
    }
  });

  test("long segments are split into pieces that fit NAME_MAX and decode back", () => {
    const keys = [
      "x".repeat(1024),
      "%".repeat(1024),
      "~".repeat(1024),
      "😀".repeat(256),
      "é".repeat(512),
      ".".repeat(300) + "/" + "a".repeat(600),
      "a".repeat(200) + "/b",
      "a".repeat(201),
    ];
    for (const key of keys) {
      const rel = keyToRelDir(key);
      for (const name of rel.split("/")) {
        expect(bytes(name)).toBeLessThanOrEqual(201);
        expect(name === "." || name === "..").toBe(false);
      }
      expect(decodeRelDir(rel)).toBe(key);
    }
    expect(segmentNames("a".repeat(201))).toEqual(["a".repeat(200) + "~", "a"]);
  });

  test("user names never look internal and never start with a dot", () => {
    const alphabet = ["a", "~", ".", "%", "x", "é", "😀", "-", "2E", "7E"];
    for (let i = 0; i < 3000; i++) {
      const seg = Array.from({ length: 1 + Math.floor(Math.random() * 8) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
      if (seg === "." || seg === "..") continue;
      for (const name of segmentNames(seg)) {
        expect(name.startsWith("~") || name.startsWith(".")).toBe(false);
        expect(name).not.toBe(META_FILE);
      }
      expect(decodeRelDir(keyToRelDir(seg))).toBe(seg);
    }
  });

  test("distinct keys map to distinct paths", () => {
    const keys = ["a", "a/", "a/b", "a%7E", "a~", "%2E", ".", "~", "%", "%25", "a".repeat(200), "a".repeat(201)];
    const valid = keys.filter((k) => k !== ".");
    const rels = new Set(valid.map(keyToRelDir));
    expect(rels.size).toBe(valid.length);
  });
});

describe("decodeEntry", () => {
  test("internal, hidden and non-canonical names are not entries", () => {
    for (const name of [META_FILE, dataDirName("u"), ".x", "~a", "%41", "%2e", "a%", "%zz", "a~~"]) {
      expect(decodeEntry(name)).toBeNull();
    }
    expect(decodeEntry("a~")).toEqual({ kind: "continuation", text: "a" });
    expect(decodeEntry(EMPTY_SEGMENT)).toEqual({ kind: "segment", text: "" });
  });
});

describe("prefixToRelDir", () => {
  test("starts the walk at the deepest complete segment", () => {
    expect(prefixToRelDir("")).toEqual({ dir: "", base: "" });
    expect(prefixToRelDir("ab")).toEqual({ dir: "", base: "" });
    expect(prefixToRelDir("a/b/c")).toEqual({ dir: "a/b", base: "a/b/" });
    expect(prefixToRelDir("a/")).toEqual({ dir: "a", base: "a/" });
    expect(prefixToRelDir("../x")).toEqual({ dir: "", base: "" });
  });
});

describe("names of the system area and volumes", () => {
  test("sys paths cannot escape", () => {
    expect(sysRelPath("tmp/abc/part.1")).toBe("tmp/abc/part.1");
    for (const p of ["", "/", "/etc/passwd", "../x", "tmp/../../x", "a\0b"]) expect(sysRelPath(p)).toBeNull();
  });
  test("volumes are plain names without a leading dot", () => {
    expect(isSafeVolume("bucket")).toBe(true);
    for (const v of ["", ".cairn.sys", ".", "..", "a/b", "a\0"]) expect(isSafeVolume(v)).toBe(false);
  });
});
