/** boto3 (Debian's python3-boto3): every everyday call, on 1 and 4 drives. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ACCESS_KEY, bucketName, cleanupTemp, REGION, run, SECRET_KEY, startServer, tempDir, type ServerHandle } from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

// Debian's interpreter: it is the one python3-boto3 installs into (a pyenv python may lack boto3).
const PYTHON = "/usr/bin/python3";
const hasBoto3 = existsSync(PYTHON) && Bun.spawnSync([PYTHON, "-c", "import boto3"]).exitCode === 0;
if (!hasBoto3) console.warn("e2e: skipping the boto3 suite: python3-boto3 is not installed (scripts/setup.sh --test installs it)");
afterAll(cleanupTemp);

for (const driveCount of [1, 4]) {
  describe.skipIf(!hasBoto3)(`boto3 on ${driveCount} drive(s)`, () => {
    let server: ServerHandle;
    beforeAll(async () => {
      server = await startServer({ drives: driveCount });
    });
    afterAll(async () => {
      await server?.stop();
    });

    test("everyday calls: buckets, objects, listing, copy, delete, multipart, presigned, errors", async () => {
      const r = await run([PYTHON, join(import.meta.dir, "scripts", "boto3_everyday.py"), server.url, bucketName("boto3"), tempDir()], {
        env: { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_DEFAULT_REGION: REGION },
        allowFailure: true,
      });
      if (r.code !== 0) throw new Error(`boto3 script failed:\n${r.stdout}\n${r.stderr}`);
      expect(r.stdout).toContain("ALL OK");
    }, 120_000);
  });
}
