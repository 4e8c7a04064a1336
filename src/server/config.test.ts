import { describe, expect, test } from "bun:test";
import { ConfigError, parseAddress, resolveConfig } from "./config";

describe("parseAddress", () => {
  test.each([
    [":9000", { host: "", port: 9000 }],
    ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }],
    ["[::1]:9000", { host: "::1", port: 9000 }],
    ["localhost:1234", { host: "localhost", port: 1234 }],
  ])("%s", (input, expected) => {
    expect(parseAddress(input)).toEqual(expected);
  });

  test.each(["9000", "host", ":99999", "a:b", ""])("rejects %p", (input) => {
    expect(() => parseAddress(input)).toThrow(ConfigError);
  });
});

describe("resolveConfig", () => {
  test("defaults: ports 9000/9001, us-east-1, minioadmin flagged as default", () => {
    const c = resolveConfig({ positionals: ["/d"] }, {});
    expect(c.address).toEqual({ host: "", port: 9000 });
    expect(c.consoleAddress).toEqual({ host: "", port: 9001 });
    expect(c.region).toBe("us-east-1");
    expect([c.rootUser, c.rootPassword, c.defaultCredentials]).toEqual(["minioadmin", "minioadmin", true]);
    expect(c.driveArgs).toEqual(["/d"]);
  });

  test("CAIRN_ credentials win over MINIO_ ones; MINIO_ alone is accepted", () => {
    const both = resolveConfig(
      { positionals: ["/d"] },
      { CAIRN_ROOT_USER: "cairnuser", CAIRN_ROOT_PASSWORD: "cairnpass1", MINIO_ROOT_USER: "x", MINIO_ROOT_PASSWORD: "y" },
    );
    expect([both.rootUser, both.rootPassword, both.defaultCredentials]).toEqual(["cairnuser", "cairnpass1", false]);
    const minio = resolveConfig({ positionals: ["/d"] }, { MINIO_ROOT_USER: "muser", MINIO_ROOT_PASSWORD: "mpassword" });
    expect([minio.rootUser, minio.rootPassword]).toEqual(["muser", "mpassword"]);
  });

  test("a user without a password is refused", () => {
    expect(() => resolveConfig({ positionals: ["/d"] }, { CAIRN_ROOT_USER: "someone" })).toThrow(ConfigError);
  });

  test("a short password is refused with the reason, under the variable a user sets", () => {
    expect(() => resolveConfig({ positionals: ["/d"] }, { MINIO_ROOT_USER: "abc", MINIO_ROOT_PASSWORD: "short" })).toThrow(
      /^CAIRN_ROOT_PASSWORD \/ MINIO_ROOT_PASSWORD: .*at least 8/,
    );
  });

  test("flags win over env; env over defaults", () => {
    const env = { CAIRN_ADDRESS: "127.0.0.1:7000", CAIRN_DOMAIN: "s3.example.com, s3.local" };
    expect(resolveConfig({ positionals: ["/d"] }, env).address).toEqual({ host: "127.0.0.1", port: 7000 });
    expect(resolveConfig({ positionals: ["/d"] }, env).domains).toEqual(["s3.example.com", "s3.local"]);
    const flagged = resolveConfig({ positionals: ["/d"], address: ":8000", domains: ["d.test"] }, env);
    expect(flagged.address).toEqual({ host: "", port: 8000 });
    expect(flagged.domains).toEqual(["d.test"]);
  });

  test("MINIO_VOLUMES supplies drives when none are given", () => {
    expect(resolveConfig({ positionals: [] }, { MINIO_VOLUMES: "/a{1...2} /b" }).driveArgs).toEqual(["/a{1...2}", "/b"]);
  });

  test("no drives at all is a config error naming the fix", () => {
    expect(() => resolveConfig({ positionals: [] }, {})).toThrow(/MINIO_VOLUMES/);
  });

  test("a bad address in env is a config error", () => {
    expect(() => resolveConfig({ positionals: ["/d"] }, { CAIRN_ADDRESS: "nope" })).toThrow(ConfigError);
  });

  test("the S3 and console ports must differ", () => {
    expect(() => resolveConfig({ positionals: ["/d"], address: ":9000", consoleAddress: "127.0.0.1:9000" }, {})).toThrow(
      /different ports/,
    );
  });
});
