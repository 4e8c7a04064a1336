/** Pure parts of the client: sizes, ages, attributes, alias URLs, key encoding, part sizing. */
import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ClientError, Progress, effectivePartSize, encodeKey, loadConfig, parseAge, parseAttrs, parseHostEnv, parseSize, formatSize, resolveAlias } from "../../src/client";
import { cleanupTemp, tempDir } from "../e2e/harness";

afterEach(() => {
  delete process.env.CAIRN_CONFIG_DIR;
  delete process.env.CAIRN_HOST_envy;
  delete process.env.MC_HOST_envy;
  cleanupTemp();
});

function kindOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof ClientError ? err.kind : "other";
  }
}

test("sizes parse in SI and IEC units and print in IEC", () => {
  expect([parseSize("5MiB"), parseSize("64M"), parseSize("1.5KiB"), parseSize("1024")]).toEqual([5 * 1024 * 1024, 64e6, 1536, 1024]);
  expect(kindOf(() => parseSize("5 bananas"))).toBe("usage");
  // Units are looked up by name: an inherited member such as `constructor` is not a unit.
  expect(kindOf(() => parseSize("5constructor"))).toBe("usage");
  expect([formatSize(0), formatSize(1023), formatSize(1536), formatSize(16 * 1024 ** 3)]).toEqual(["0B", "1023B", "1.50KiB", "16.0GiB"]);
});

test("ages combine units and reject anything else", () => {
  expect(parseAge("1d12h")).toBe(36 * 3600 * 1000);
  expect(parseAge("30s")).toBe(30_000);
  expect(kindOf(() => parseAge("7 days"))).toBe("usage");
  expect(kindOf(() => parseAge("7dx"))).toBe("usage");
});

test("--attr keeps standard headers and turns the rest into user metadata", () => {
  expect(parseAttrs("Cache-Control=max-age=90,min-fresh=9;Artist=Unknown;Content-Type=text/csv")).toEqual({
    "cache-control": "max-age=90,min-fresh=9",
    "x-amz-meta-artist": "Unknown",
    "content-type": "text/csv",
  });
  expect(kindOf(() => parseAttrs("novalue"))).toBe("usage");
});

test("CAIRN_HOST_ / MC_HOST_ URLs carry percent-encoded keys; the environment wins over the file", () => {
  expect(parseHostEnv("https://AK%2F1:s%40cret@example.com:9000", "x")).toEqual({ url: "https://example.com:9000", accessKey: "AK/1", secretKey: "s@cret", region: "us-east-1" });
  const dir = tempDir("cairn-client-units-");
  process.env.CAIRN_CONFIG_DIR = dir;
  writeFileSync(join(dir, "config.json"), JSON.stringify({ version: 1, aliases: { envy: { url: "http://file:1", accessKey: "f", secretKey: "f" } } }));
  expect(resolveAlias("envy").url).toBe("http://file:1");
  process.env.MC_HOST_envy = "http://m:k@mc-host:2";
  expect(resolveAlias("envy").url).toBe("http://mc-host:2");
  process.env.CAIRN_HOST_envy = "http://c:k@cairn-host:3";
  expect(resolveAlias("envy").url).toBe("http://cairn-host:3");
  expect(kindOf(() => resolveAlias("nobody"))).toBe("alias");
  // Names are looked up in the file's alias table: what every object inherits is not an alias.
  for (const inherited of ["toString", "constructor", "valueOf"]) expect(kindOf(() => resolveAlias(inherited))).toBe("alias");
});

test("a corrupt config file is a clear local error, not a crash", () => {
  const dir = tempDir("cairn-client-units-");
  process.env.CAIRN_CONFIG_DIR = dir;
  writeFileSync(join(dir, "config.json"), "{not json");
  expect(kindOf(() => loadConfig())).toBe("local");
});

test("keys are encoded per RFC 3986, slashes kept", () => {
  expect(encodeKey("a b/c+d/é(1)!*")).toBe("a%20b/c%2Bd/%C3%A9%281%29%21%2A");
});

test("the part size grows so that any object fits in 10,000 parts", () => {
  expect(effectivePartSize(1024 ** 3, 16 << 20)).toBe(16 << 20);
  const huge = 5 * 1024 ** 4;
  const part = effectivePartSize(huge, 16 << 20);
  expect(Math.ceil(huge / part)).toBeLessThanOrEqual(10_000);
  expect(part % (1 << 20)).toBe(0);
});

test("the progress bar shows bytes, total, rate and ETA; plain lines name each object", () => {
  const captured: string[] = [];
  const saved = [process.stderr.write, process.stdout.write] as const;
  process.stderr.write = ((c: string) => captured.push(`E:${c}`) > 0) as typeof process.stderr.write;
  process.stdout.write = ((c: string) => captured.push(`O:${c}`) > 0) as typeof process.stdout.write;
  try {
    const bar = new Progress("bar");
    bar.expect(4 * 1024 * 1024);
    bar.add(1024 * 1024);
    bar.finished({ source: "a", target: "b", size: 1024 * 1024 });
    bar.end();
    const lines = new Progress("lines");
    lines.finished({ source: "src/x", target: "c/b/x", size: 5 });
    const quiet = new Progress("quiet");
    quiet.finished({ source: "q", target: "q", size: 1 });
    quiet.end();
  } finally {
    [process.stderr.write, process.stdout.write] = saved;
  }
  const text = captured.join("");
  expect(text).toMatch(/E:\r\[#{7,8} +\] 1\.00MiB\/4\.00MiB [\d.]+[KMG]?i?B\/s ETA \d+s, 1 object\(s\)/);
  expect(text).toContain("O:src/x -> c/b/x (5B)\n");
  expect(text).not.toContain("q ->");
});
