import { describe, expect, test } from "bun:test";
import { compareKeys, utf8Length, validateBucketName, validateObjectKey } from "./keys";

describe("validateObjectKey", () => {
  test.each([
    ["a"],
    ["photos/"],
    ["a/b/c"],
    ["a/b/"],
    ["xl.meta"],
    [".hidden"],
    ["a/.b/..c/...d"],
    ["~/~x"],
    ["%2e%2e/x"],
    ["日本語/😀"],
    ["x".repeat(1024)],
    ["é".repeat(512)],
  ])("accepts %p", (key) => {
    expect(validateObjectKey(key)).toBeNull();
  });

  test.each([
    ["", "Empty"],
    ["x".repeat(1025), "KeyTooLong"],
    ["é".repeat(513), "KeyTooLong"],
    ["😀".repeat(257), "KeyTooLong"],
    ["a\0b", "NulCharacter"],
    ["a\ud800b", "LoneSurrogate"],
    ["\udc00", "LoneSurrogate"],
    ["/a", "LeadingSlash"],
    ["/", "LeadingSlash"],
    ["..", "DotSegment"],
    ["../x", "DotSegment"],
    ["a/../b", "DotSegment"],
    ["a/.", "DotSegment"],
    ["a/./b", "DotSegment"],
    ["a//b", "EmptySegment"],
    ["a//", "EmptySegment"],
  ])("rejects %p as %p", (key, problem) => {
    expect(validateObjectKey(key)).toBe(problem as never);
  });
});

describe("validateBucketName", () => {
  test.each([["abc"], ["my-bucket.data"], ["a".repeat(63)], ["1-2-3"], ["192.168.1.x"]])(
    "accepts %p",
    (name) => expect(validateBucketName(name)).toBeNull(),
  );
  test.each([
    ["ab", "Length"],
    ["a".repeat(64), "Length"],
    ["My-Bucket", "Characters"],
    ["a_b", "Characters"],
    [".cairn.sys", "Edge"],
    ["-abc", "Edge"],
    ["abc.", "Edge"],
    ["a..b", "AdjacentDots"],
    ["a.-b", "DotDash"],
    ["a-.b", "DotDash"],
    ["192.168.1.1", "IpAddress"],
    ["cairn.sys", "Reserved"],
    ["xn--abc", "Reserved"],
    ["abc-s3alias", "Reserved"],
  ])("rejects %p as %p", (name, problem) => {
    expect(validateBucketName(name)).toBe(problem as never);
  });
});

describe("utf8Length", () => {
  test("agrees with TextEncoder", () => {
    for (const s of ["", "abc", "é", "日本", "😀x", "a\u07ffb\u0800"]) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});

describe("compareKeys", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const byteCompare = (a: string, b: string) => Buffer.compare(bytes(a), bytes(b));

  test("orders by UTF-8 bytes, unlike UTF-16 code units", () => {
    // U+FF5E (3 bytes EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8 but after in UTF-16.
    expect(compareKeys("\uff5e", "😀")).toBeLessThan(0);
    expect("\uff5e" < "😀").toBe(false);
    expect(compareKeys("ab", "ab-c")).toBeLessThan(0);
    expect(compareKeys("ab-c", "ab/x")).toBeLessThan(0);
    expect(compareKeys("a", "a")).toBe(0);
  });

  test("agrees with byte order on random strings", () => {
    const alphabet = ["a", "b", "-", ".", "/", "~", "é", "\u0800", "\ue000", "\uffff", "😀", "\u{10ffff}"];
    const rand = () =>
      Array.from({ length: Math.floor(Math.random() * 6) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
    for (let i = 0; i < 5000; i++) {
      const a = rand();
      const b = rand();
      expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(byteCompare(a, b)));
    }
  });
});
