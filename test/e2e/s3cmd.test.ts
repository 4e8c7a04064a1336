/**
 * s3cmd with a temp .s3cfg (path-style host_bucket, plain http), signature V4 and V2, on 1 and
 * 4 drives: mb, put, get, ls, del, sync, and a multipart put in 5 MiB chunks.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ACCESS_KEY, bucketName, cleanupTemp, md5File, program, REGION, run, SECRET_KEY, startServer, tempDir,
  writeRandomFile, type ServerHandle,
} from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

const S3CMD = program("s3cmd");
afterAll(cleanupTemp);

function s3cmdCli(server: () => ServerHandle, signatureV2: boolean) {
  let cfg: string | null = null;
  return (args: string[]) => {
    if (!cfg) {
      cfg = join(tempDir("cairn-s3cmd-"), ".s3cfg");
      const host = `127.0.0.1:${server().port}`;
      writeFileSync(
        cfg,
        [
          "[default]",
          `access_key = ${ACCESS_KEY}`,
          `secret_key = ${SECRET_KEY}`,
          `host_base = ${host}`,
          `host_bucket = ${host}`,
          "use_https = False",
          `signature_v2 = ${signatureV2 ? "True" : "False"}`,
          `bucket_location = ${REGION}`,
          "",
        ].join("\n"),
      );
    }
    return run([S3CMD!, "-c", cfg, ...args]);
  };
}

const cases = [
  { drives: 1, v2: false },
  { drives: 1, v2: true },
  { drives: 4, v2: false },
  { drives: 4, v2: true },
];

for (const c of cases) {
  describe.skipIf(!S3CMD)(`s3cmd, signature ${c.v2 ? "V2" : "V4"}, ${c.drives} drive(s)`, () => {
    let server: ServerHandle;
    beforeAll(async () => {
      server = await startServer({ drives: c.drives });
    });
    afterAll(async () => {
      await server?.stop();
    });
    const s3cmd = s3cmdCli(() => server, c.v2);

    test("mb, put, ls, get, sync, del, rb", async () => {
      const bucket = bucketName("s3cmd");
      const work = tempDir();
      await s3cmd(["mb", `s3://${bucket}`]);
      expect((await s3cmd(["ls"])).stdout).toContain(`s3://${bucket}`);
      writeFileSync(join(work, "one.txt"), "one for s3cmd\n");
      await s3cmd(["put", join(work, "one.txt"), `s3://${bucket}/docs/one.txt`]);
      expect((await s3cmd(["ls", `s3://${bucket}/docs/`])).stdout).toMatch(/\s14\s+s3:\/\/.*\/docs\/one\.txt/);
      await s3cmd(["get", `s3://${bucket}/docs/one.txt`, join(work, "got.txt")]);
      expect(await Bun.file(join(work, "got.txt")).text()).toBe("one for s3cmd\n");

      const tree = join(work, "tree");
      mkdirSync(join(tree, "x"), { recursive: true });
      for (let i = 0; i < 5; i++) writeFileSync(join(tree, "x", `f${i}`), `file ${i}`);
      await s3cmd(["sync", `${tree}/`, `s3://${bucket}/tree/`]);
      expect((await s3cmd(["ls", "-r", `s3://${bucket}/tree/`])).stdout.trim().split("\n")).toHaveLength(5);
      writeFileSync(join(tree, "x", "f2"), "changed");
      const again = await s3cmd(["sync", `${tree}/`, `s3://${bucket}/tree/`]);
      // Whole path segments: a random temp dir name (e.g. "Tuf39n") may contain "f3" itself.
      expect(again.stdout).toContain("/tree/x/f2'");
      for (const unchanged of ["f0", "f1", "f3", "f4"]) expect(again.stdout).not.toContain(`/tree/x/${unchanged}'`);

      await s3cmd(["del", `s3://${bucket}/docs/one.txt`]);
      await s3cmd(["del", "--recursive", "--force", `s3://${bucket}/tree/`]);
      expect((await s3cmd(["ls", "-r", `s3://${bucket}`])).stdout.trim()).toBe("");
      await s3cmd(["rb", `s3://${bucket}`]);
      expect((await s3cmd(["ls"])).stdout).not.toContain(`s3://${bucket}`);
    });

    test("multipart put in 5 MiB chunks round-trips", async () => {
      const bucket = bucketName("s3cmd-mp");
      const work = tempDir();
      const file = join(work, "mp.bin");
      await writeRandomFile(file, 12 * 1024 * 1024 + 5, 12);
      await s3cmd(["mb", `s3://${bucket}`]);
      const put = await s3cmd(["put", "--progress", "--multipart-chunk-size-mb=5", file, `s3://${bucket}/mp.bin`]);
      expect(put.stdout).toContain("part 3 of 3");
      await s3cmd(["get", `s3://${bucket}/mp.bin`, join(work, "back.bin")]);
      expect(await md5File(join(work, "back.bin"))).toBe(await md5File(file));
      const info = await s3cmd(["info", `s3://${bucket}/mp.bin`]);
      expect(info.stdout).toMatch(/File size:\s+12582917/);
      await s3cmd(["rb", "--recursive", "--force", `s3://${bucket}`]);
    }, 60_000);
  });
}
