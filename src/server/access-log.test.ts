/** The access log writer on real temp files: appending, flushing without a close, bad paths. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAccessLog, type AccessEntry } from "./access-log";
import { ConfigError, resolveConfig } from "./config";

const dir = mkdtempSync(join(tmpdir(), "cairn-access-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (requestId: string): AccessEntry => ({
  time: new Date(0).toISOString(),
  requestId,
  remoteAddress: null,
  method: "GET",
  api: "GetObject",
  bucket: "b",
  key: "k",
  status: 200,
  errorCode: null,
  bytesIn: 0,
  bytesOut: 1,
  durationMs: 0.5,
  userAgent: null,
});

const ids = (path: string) => readFileSync(path, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l).requestId ?? l);

test("an existing log is appended to, never overwritten", async () => {
  const path = join(dir, "existing.log");
  writeFileSync(path, '{"requestId":"OLD"}\n');
  const log = openAccessLog(path);
  log.write(entry("A"));
  log.write(entry("B"));
  await log.close();
  expect(ids(path)).toEqual(["OLD", "A", "B"]);
});

test("lines reach the file on their own, without a close", async () => {
  const path = join(dir, "running.log");
  const log = openAccessLog(path);
  log.write(entry("C"));
  const deadline = Date.now() + 5000;
  while (readFileSync(path, "utf8") === "" && Date.now() < deadline) await Bun.sleep(20);
  expect(ids(path)).toEqual(["C"]);
  await log.close();
});

test("a path that cannot be opened is a ConfigError naming the variable and the path", () => {
  const path = join(dir, "no-such-dir", "access.log");
  expect(() => openAccessLog(path)).toThrow(ConfigError);
  expect(() => openAccessLog(path)).toThrow(`CAIRN_ACCESS_LOG: cannot open ${path}`);
});

test("CAIRN_ACCESS_LOG: off unless set; '-' and paths are kept as given", () => {
  const accessLog = (value?: string) => resolveConfig({ positionals: ["/d"] }, value === undefined ? {} : { CAIRN_ACCESS_LOG: value }).accessLog;
  expect([accessLog(), accessLog(""), accessLog("off"), accessLog(" OFF ")]).toEqual([null, null, null, null]);
  expect(accessLog("-")).toBe("-");
  expect(accessLog("/var/log/cairn/access.log")).toBe("/var/log/cairn/access.log");
});
