/**
 * Bad input at start-up, with the real process: each case must end in exactly one stderr line
 * that names the problem and the fix, a non-zero exit, and no stack trace.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CAIRN, spawnCairn, type SpawnOptions } from "./cairn-exe";
import { cleanupTemp, freePorts, startServer, tempDir } from "./harness";

setDefaultTimeout(60_000);
afterAll(cleanupTemp);

/** Good credentials, so the only stderr output is the error (no default-credentials warning). */
const CREDS = { CAIRN_ROOT_USER: "startup-user", CAIRN_ROOT_PASSWORD: "startup-password" };

function loopback(): string[] {
  const [s3, console] = freePorts(2);
  return ["--address", `127.0.0.1:${s3}`, "--console-address", `127.0.0.1:${console}`];
}

async function failure(args: string[], env: Record<string, string> = {}, opts: SpawnOptions = {}): Promise<{ code: number; line: string }> {
  const run = spawnCairn(["server", ...args], { ...CREDS, ...env }, opts);
  const code = await run.exited(30_000);
  if (code === null) {
    await run.stop();
    throw new Error(`cairn server ${args.join(" ")} kept running:\n${run.stdout()}${run.stderr()}`);
  }
  const lines = run.stderr().split("\n").filter((l) => l !== "");
  expect(code).not.toBe(0);
  expect(lines).toHaveLength(1);
  expect(run.stderr()).not.toMatch(/^\s+at /m);
  expect(run.stdout()).not.toContain("Cairn S3:");
  return { code, line: lines[0]! };
}

describe(`one line, non-zero exit, no stack (${CAIRN.kind})`, () => {
  test("a drive path missing from a multi-drive set names it and says to mount or create it", async () => {
    const root = tempDir();
    for (const d of ["d1", "d2", "d4"]) mkdirSync(join(root, d));
    const { line } = await failure([`${root}/d{1...4}`, ...loopback()]);
    expect(line).toContain(`drive ${root}/d3 does not exist`);
    expect(line).toContain(`mkdir -p ${root}/d3`);
    // Nothing was created on the wrong filesystem.
    expect(existsSync(join(root, "d3"))).toBe(false);
  });

  test("drives on other nodes (MinIO's distributed syntax) are refused, not created as local paths", async () => {
    const cwd = tempDir();
    const { line } = await failure(["http://node{1...4}:9000/data", ...loopback()], {}, { cwd });
    expect(line).toContain("drive http://node1:9000/data is on another node");
    expect(existsSync(join(cwd, "http:"))).toBe(false);
  });

  test("drives formatted as a 4-drive set, started with 2 of them: the layout change is named", async () => {
    const first = await startServer({ drives: 4 });
    expect(await first.stop()).toBe(0);
    const { code, line } = await failure([...first.drives.slice(0, 2), ...loopback()]);
    expect(code).toBe(1);
    expect(line).toBe("cairn server: cannot open the drives: the drives were formatted as 4 drives, 2 given: layout changed");
  });

  test("a drive path that is a file", async () => {
    const file = join(tempDir(), "not-a-dir");
    writeFileSync(file, "x");
    const { line } = await failure([file, ...loopback()]);
    expect(line).toBe(`cairn server: drive ${file} is not a directory: give a directory path`);
  });

  test("a volume left by MinIO is refused, not formatted beside MinIO's data", async () => {
    const data = join(tempDir(), "data");
    mkdirSync(join(data, ".minio.sys"), { recursive: true });
    mkdirSync(join(data, "photos"));
    const { line } = await failure([data, ...loopback()]);
    expect(line).toContain(`drive ${data} holds MinIO data (.minio.sys), which Cairn cannot read`);
    expect(existsSync(join(data, ".cairn.sys"))).toBe(false);
  });

  // Root writes anywhere, so the unwritable case runs as nobody (setpriv) when the tests are root.
  const isRoot = process.getuid?.() === 0;
  const setpriv = isRoot ? Bun.which("setpriv") : null;
  const reason = isRoot && !setpriv ? " (skipped: running as root and setpriv is missing, so no directory is unwritable)" : "";
  const wrap = setpriv ? [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
  const uid = setpriv ? 65534 : process.getuid?.();
  test.skipIf(reason !== "")(`an unwritable data directory names the uid and the chown that fixes it${reason}`, async () => {
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const data = join(parent, "data");
    mkdirSync(data);
    chmodSync(data, 0o555);
    const { line } = await failure([data, ...loopback()], {}, { wrap });
    expect(line).toContain(`drive ${data}: permission denied writing to it as uid ${uid}`);
    expect(line).toContain(`chown -R ${uid}:`);
  });

  test.skipIf(reason !== "")(`a data directory that cannot be created says to create and hand it over${reason}`, async () => {
    const parent = tempDir();
    chmodSync(parent, 0o555);
    const data = join(parent, "data");
    const { line } = await failure([data, ...loopback()], {}, { wrap });
    expect(line).toContain(`drive ${data}: permission denied creating it as uid ${uid}: sudo mkdir -p ${data} && sudo chown -R ${uid}:`);
  });

  test("the S3 port in use names the address and the flag to change", async () => {
    const [port, other] = freePorts(2);
    const holder = Bun.listen({ hostname: "127.0.0.1", port: port!, socket: { data() {} } });
    try {
      const { line } = await failure([tempDir(), "--address", `127.0.0.1:${port}`, "--console-address", `127.0.0.1:${other}`]);
      expect(line).toBe(
        `cairn server: S3 address 127.0.0.1:${port} is already in use: stop the other process or choose another port with --address / CAIRN_ADDRESS`,
      );
    } finally {
      holder.stop(true);
    }
  });

  test("the console port in use names the console address", async () => {
    const [port, other] = freePorts(2);
    const holder = Bun.listen({ hostname: "127.0.0.1", port: port!, socket: { data() {} } });
    try {
      const { line } = await failure([tempDir(), "--address", `127.0.0.1:${other}`, "--console-address", `127.0.0.1:${port}`]);
      expect(line).toContain(`console address 127.0.0.1:${port} is already in use`);
      expect(line).toContain("--console-address");
    } finally {
      holder.stop(true);
    }
  });

  test("MINIO_ROOT_PASSWORD shorter than 8 characters", async () => {
    const { code, line } = await failure([tempDir(), ...loopback()], { CAIRN_ROOT_USER: "", CAIRN_ROOT_PASSWORD: "", MINIO_ROOT_USER: "someone", MINIO_ROOT_PASSWORD: "short" });
    expect(code).toBe(2);
    expect(line).toBe("cairn server: CAIRN_ROOT_PASSWORD / MINIO_ROOT_PASSWORD: root password must be at least 8 characters");
  });

  test("CAIRN_ADDRESS=abc", async () => {
    const { line } = await failure([tempDir()], { CAIRN_ADDRESS: "abc" });
    expect(line).toContain("invalid address 'abc': expected HOST:PORT or :PORT");
  });

  test("MINIO_STORAGE_CLASS_STANDARD=EC:9 on 4 drives names the variable and the allowed range", async () => {
    const root = tempDir();
    const { line } = await failure([`${root}/d{1...4}`, ...loopback()], { MINIO_STORAGE_CLASS_STANDARD: "EC:9" });
    expect(line).toBe("cairn server: MINIO_STORAGE_CLASS_STANDARD=EC:9: parity must be 0..2 for 4 drive(s) in sets of 4");
  });

  test("an unknown flag points at --help", async () => {
    const { line } = await failure([tempDir(), "--adress", ":9000"]);
    expect(line).toContain("--adress");
    expect(line).toContain("cairn server --help");
  });
});
