/**
 * rclone (Debian's 1.60) configured only through RCLONE_CONFIG_CAIRN_* variables: everyday
 * commands on 1 and 4 drives, and on 4 drives a sync of 1,000 small files plus a 200 MiB file
 * (one single PUT: rclone's upload cutoff is 200 MiB, above Bun's default body limit) checked
 * with `rclone check`.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ACCESS_KEY, bucketName, cleanupTemp, program, REGION, run, SECRET_KEY, startServer, tempDir, writeRandomFile,
  type ServerHandle,
} from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

const RCLONE = program("rclone");
afterAll(cleanupTemp);

function rcloneCli(server: () => ServerHandle) {
  const config = join(tempDir("cairn-rclone-"), "rclone.conf");
  writeFileSync(config, "");
  return (args: string[], opts: { allowFailure?: boolean } = {}) =>
    run([RCLONE!, ...args], {
      ...opts,
      env: {
        RCLONE_CONFIG: config,
        RCLONE_CONFIG_CAIRN_TYPE: "s3",
        RCLONE_CONFIG_CAIRN_PROVIDER: "Minio",
        RCLONE_CONFIG_CAIRN_ACCESS_KEY_ID: ACCESS_KEY,
        RCLONE_CONFIG_CAIRN_SECRET_ACCESS_KEY: SECRET_KEY,
        RCLONE_CONFIG_CAIRN_ENDPOINT: server().url,
        RCLONE_CONFIG_CAIRN_REGION: REGION,
      },
    });
}

for (const driveCount of [1, 4]) {
  describe.skipIf(!RCLONE)(`rclone on ${driveCount} drive(s)`, () => {
    let server: ServerHandle;
    beforeAll(async () => {
      server = await startServer({ drives: driveCount });
    });
    afterAll(async () => {
      await server?.stop();
    });
    const rclone = rcloneCli(() => server);

    test("mkdir, copy, lsf, cat, copyto, deletefile, purge", async () => {
      const bucket = bucketName("rclone");
      const src = tempDir();
      writeFileSync(join(src, "a.txt"), "alpha\n");
      mkdirSync(join(src, "nested"));
      writeFileSync(join(src, "nested", "b.txt"), "bravo\n");
      await rclone(["mkdir", `cairn:${bucket}`]);
      expect((await rclone(["lsf", "cairn:"])).stdout.split("\n")).toContain(`${bucket}/`);
      await rclone(["copy", src, `cairn:${bucket}/data`]);
      expect((await rclone(["lsf", "-R", `cairn:${bucket}/data`])).stdout.trim().split("\n").sort()).toEqual([
        "a.txt", "nested/", "nested/b.txt",
      ]);
      expect((await rclone(["cat", `cairn:${bucket}/data/nested/b.txt`])).stdout).toBe("bravo\n");
      await rclone(["copyto", `cairn:${bucket}/data/a.txt`, `cairn:${bucket}/copied.txt`]);
      expect((await rclone(["cat", `cairn:${bucket}/copied.txt`])).stdout).toBe("alpha\n");
      await rclone(["deletefile", `cairn:${bucket}/copied.txt`]);
      expect((await rclone(["lsf", `cairn:${bucket}`])).stdout.trim()).toBe("data/");
      await rclone(["purge", `cairn:${bucket}`]);
      expect((await rclone(["lsf", "cairn:"])).stdout.split("\n")).not.toContain(`${bucket}/`);
    });
  });
}

describe.skipIf(!RCLONE)("rclone sync of 1,000 small files and a 200 MiB file on 4 drives", () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer({ drives: 4 });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const rclone = rcloneCli(() => server);

  test("sync, then rclone check finds no differences, then a changed file is re-synced", async () => {
    const bucket = bucketName("rclone-sync");
    const src = tempDir();
    for (let d = 0; d < 10; d++) {
      mkdirSync(join(src, `dir${d}`));
      for (let f = 0; f < 100; f++) writeFileSync(join(src, `dir${d}`, `f${f}.txt`), `file ${d}/${f} `.repeat(f + 1));
    }
    await writeRandomFile(join(src, "big-200m.bin"), 200 * 1024 * 1024, 200);
    await rclone(["mkdir", `cairn:${bucket}`]);
    await rclone(["sync", src, `cairn:${bucket}`, "--transfers", "8", "--checkers", "16"]);
    const check = await rclone(["check", src, `cairn:${bucket}`], { allowFailure: true });
    expect(check.stderr).toContain("0 differences found");
    expect(check.stderr).toContain("1001 matching files");
    expect(check.code).toBe(0);

    writeFileSync(join(src, "dir3", "f7.txt"), "changed");
    const again = await rclone(["sync", src, `cairn:${bucket}`, "-v"]);
    expect(again.stderr).toContain("dir3/f7.txt: Copied");
    expect((await rclone(["cat", `cairn:${bucket}/dir3/f7.txt`])).stdout).toBe("changed");
    expect((await rclone(["check", src, `cairn:${bucket}`], { allowFailure: true })).code).toBe(0);
  }, 300_000);
});
