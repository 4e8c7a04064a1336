import { expect, test } from "bun:test";
import { RAW_PATH_HEADER, rawPathToKeep, urlWithRawPath } from "./raw-path";

test("raw paths are kept only where URL parsing would drop dot segments", () => {
  expect(rawPathToKeep("/b/a/../k?x=1")).toBe("/b/a/../k");
  expect(rawPathToKeep("/b/./k")).toBe("/b/./k");
  expect(rawPathToKeep("/b/k/..")).toBe("/b/k/..");
  expect(rawPathToKeep("/b/%2E%2e/k")).toBe("/b/%2E%2e/k");
  expect(rawPathToKeep("/b/.hidden/..x/k")).toBeNull();
  expect(rawPathToKeep("/b/k?prefix=../")).toBeNull();
});

test("urlWithRawPath shows the raw path and keeps host and query as parsed", () => {
  const url = new URL("http://h:9000/b/a/../k?versionId=1");
  expect(url.pathname).toBe("/b/k");
  const raw = urlWithRawPath(url, new Headers({ [RAW_PATH_HEADER]: "/b/a/../k" }));
  expect(raw.pathname).toBe("/b/a/../k");
  expect(raw.host).toBe("h:9000");
  expect(raw.searchParams.get("versionId")).toBe("1");
  expect(urlWithRawPath(new URL("http://h/b/k"), new Headers()).pathname).toBe("/b/k");
});
