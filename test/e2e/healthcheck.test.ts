/**
 * `cairn healthcheck` with no URL probes the address the server would listen on with the same
 * environment, so a container or unit that moves the port (MINIO_ADDRESS, MINIO_OPTS) keeps a
 * working HEALTHCHECK without editing it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { defaultHealthUrl } from "../../src/cli/healthcheck";
import { CAIRN, spawnCairn } from "./cairn-exe";
import { cleanupTemp, freePort, startServer, type ServerHandle } from "./harness";

setDefaultTimeout(60_000);
afterAll(cleanupTemp);

describe("defaultHealthUrl", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["nothing set: :9000", {}, "http://127.0.0.1:9000"],
    ["CAIRN_ADDRESS=:9100 (every interface) is probed on loopback", { CAIRN_ADDRESS: ":9100" }, "http://127.0.0.1:9100"],
    ["MINIO_ADDRESS=0.0.0.0:9100", { MINIO_ADDRESS: "0.0.0.0:9100" }, "http://127.0.0.1:9100"],
    ["a specific host is kept", { MINIO_ADDRESS: "10.1.2.3:9100" }, "http://10.1.2.3:9100"],
    ["IPv6 loopback is bracketed", { CAIRN_ADDRESS: "[::1]:9100" }, "http://[::1]:9100"],
    ["CAIRN_ADDRESS wins over MINIO_ADDRESS", { CAIRN_ADDRESS: ":9101", MINIO_ADDRESS: ":9102" }, "http://127.0.0.1:9101"],
    ["--address in MINIO_OPTS wins over the variables, as in the server", { MINIO_OPTS: "--console-address :9001 --address :9200", MINIO_ADDRESS: ":9102" }, "http://127.0.0.1:9200"],
    ["--address=… in CAIRN_OPTS", { CAIRN_OPTS: "--address=127.0.0.1:9300" }, "http://127.0.0.1:9300"],
  ];
  for (const [name, env, base] of cases) {
    test(name, async () => {
      expect(await defaultHealthUrl(env)).toBe(`${base}/minio/health/live`);
    });
  }
});

describe(`cairn healthcheck against a running server (${CAIRN.kind})`, () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer({ drives: 1 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function healthcheck(env: Record<string, string>, args: string[] = []) {
    const run = spawnCairn(["healthcheck", ...args], env);
    const code = await run.exited(30_000);
    return { code, stderr: run.stderr() };
  }

  test("finds the server through CAIRN_ADDRESS, MINIO_ADDRESS and MINIO_OPTS", async () => {
    const envs: Record<string, string>[] = [
      { CAIRN_ADDRESS: `127.0.0.1:${server.port}` },
      { MINIO_ADDRESS: `:${server.port}` },
      { MINIO_OPTS: `--address :${server.port}` },
    ];
    for (const env of envs) {
      const r = await healthcheck(env);
      expect(`${JSON.stringify(env)} → ${r.code} ${r.stderr}`).toBe(`${JSON.stringify(env)} → 0 `);
    }
  });

  test("an explicit URL still wins over the environment", async () => {
    const r = await healthcheck({ CAIRN_ADDRESS: `127.0.0.1:${freePort()}` }, [`${server.url}/minio/health/ready`]);
    expect(r.code).toBe(0);
  });

  test("nothing listening: exit 1 and one line naming the URL it tried", async () => {
    const port = freePort();
    const r = await healthcheck({ CAIRN_ADDRESS: `:${port}` });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith(`cairn healthcheck: http://127.0.0.1:${port}/minio/health/live: `);
  });

  test("a malformed address: exit 2 and one line", async () => {
    const r = await healthcheck({ MINIO_ADDRESS: "abc" });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("cairn healthcheck: invalid address 'abc': expected HOST:PORT or :PORT (e.g. :9000, 127.0.0.1:9000)\n");
  });
});
