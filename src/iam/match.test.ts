import { describe, expect, test } from "bun:test";
import { cidrContains, parseCidr, parseIp } from "./cidr";
import { wildcardMatch } from "./wildcard";

describe("wildcardMatch", () => {
  const cases: [string, string, boolean][] = [
    ["*", "", true], ["*", "anything/at/all", true], ["a*", "a", true], ["a*c", "abbbc", true],
    ["a*c", "abbbd", false], ["a?c", "abc", true], ["a?c", "ac", false], ["a*b*c", "aXbYbZc", true],
    ["photos/*.jpg", "photos/x/y.jpg", true], ["photos/*.jpg", "photos/x.jpeg", false], ["abc", "abc", true],
    ["abc", "abcd", false], ["", "", true], ["", "a", false], ["**", "x", true], ["*?", "", false],
  ];
  for (const [p, v, want] of cases) test(`${p} ~ ${v}`, () => expect(wildcardMatch(p, v)).toBe(want));

  test("hostile patterns finish (no exponential backtracking)", () => {
    expect(wildcardMatch("*a*a*a*a*a*a*a*a*a*b", "a".repeat(5000))).toBe(false);
  });
});

describe("cidr", () => {
  test("parses addresses of both families", () => {
    expect(parseIp("1.2.3.4")).toEqual({ family: 4, value: 0x01020304n });
    expect(parseIp("::1")).toEqual({ family: 6, value: 1n });
    expect(parseIp("::ffff:1.2.3.4")).toEqual({ family: 4, value: 0x01020304n });
    expect(parseIp("2001:db8::1:0:0:1")?.value).toBe(0x20010db8000000000001000000000001n);
    expect(parseIp("fe80::1%eth0")?.family).toBe(6);
    for (const bad of ["1.2.3", "1.2.3.256", "1:2:3:4:5:6:7:8:9", "1::2::3", "g::1", "", "01234::"]) expect(parseIp(bad)).toBeNull();
  });

  test("containment", () => {
    const net = parseCidr("203.0.113.0/24")!;
    expect(cidrContains(net, "203.0.113.255")).toBe(true);
    expect(cidrContains(net, "203.0.114.0")).toBe(false);
    expect(cidrContains(net, "2001:db8::1")).toBe(false);
    expect(cidrContains(parseCidr("0.0.0.0/0")!, "8.8.8.8")).toBe(true);
    expect(cidrContains(parseCidr("2001:db8::/32")!, "2001:0db8:ffff::")).toBe(true);
    expect(cidrContains(parseCidr("10.1.2.3")!, "10.1.2.3")).toBe(true);
    expect(cidrContains(parseCidr("10.1.2.3")!, "10.1.2.4")).toBe(false);
    expect(parseCidr("10.0.0.0/33")).toBeNull();
    expect(parseCidr("::/129")).toBeNull();
    expect(parseCidr("10.0.0.0/8/8")).toBeNull();
  });
});
