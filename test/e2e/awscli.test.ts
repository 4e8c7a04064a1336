/**
 * AWS CLI v2 (Debian's awscli) against the real server: the high-level `aws s3` commands on 1
 * and 4 drives, `aws s3api` calls and a 100 MiB multipart copy on 4 drives.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  awsCliEnv, bucketName, cleanupTemp, md5File, program, run, startServer, tempDir,
  writeRandomFile, type ServerHandle,
} from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

const AWS = program("aws");
afterAll(cleanupTemp);

function awsEnv(): Record<string, string> {
  return awsCliEnv(tempDir("cairn-aws-home-"));
}

function awsCli(server: () => ServerHandle) {
  const env = awsEnv();
  return async (args: string[], opts: { allowFailure?: boolean } = {}) =>
    run([AWS!, "--endpoint-url", server().url, "--output", "json", ...args], { env, ...opts });
}

function makeTree(dir: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `sub${i % 3}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `file-${i}.txt`), `content of file ${i}\n`.repeat(i + 1));
  }
}

for (const driveCount of [1, 4]) {
  describe.skipIf(!AWS)(`aws s3 on ${driveCount} drive(s)`, () => {
    let server: ServerHandle;
    beforeAll(async () => {
      server = await startServer({ drives: driveCount });
    });
    afterAll(async () => {
      await server?.stop();
    });
    const aws = awsCli(() => server);

    test("mb, cp up and down, ls, sync both ways, rm, rb", async () => {
      const bucket = bucketName("awscli");
      const work = tempDir();
      await aws(["s3", "mb", `s3://${bucket}`]);
      expect((await aws(["s3", "ls"])).stdout).toContain(bucket);

      const file = join(work, "hello.txt");
      writeFileSync(file, "hello from the aws cli\n");
      await aws(["s3", "cp", file, `s3://${bucket}/dir/hello.txt`]);
      expect((await aws(["s3", "ls", `s3://${bucket}/dir/`])).stdout).toMatch(/\s23 hello\.txt/);
      await aws(["s3", "cp", `s3://${bucket}/dir/hello.txt`, join(work, "back.txt")]);
      expect(await Bun.file(join(work, "back.txt")).text()).toBe("hello from the aws cli\n");

      const tree = join(work, "tree");
      makeTree(tree, 12);
      const up = await aws(["s3", "sync", tree, `s3://${bucket}/tree`]);
      expect(up.stdout.match(/^upload:/gm)).toHaveLength(12);
      writeFileSync(join(tree, "sub1", "file-1.txt"), "changed and longer than before\n");
      const again = await aws(["s3", "sync", tree, `s3://${bucket}/tree`]);
      expect(again.stdout.match(/^upload:/gm)).toHaveLength(1);

      const down = join(work, "down");
      await aws(["s3", "sync", `s3://${bucket}/tree`, down]);
      for (const sub of readdirSync(tree)) {
        for (const f of readdirSync(join(tree, sub))) {
          expect(await Bun.file(join(down, sub, f)).text()).toBe(await Bun.file(join(tree, sub, f)).text());
        }
      }

      await aws(["s3", "rm", `s3://${bucket}/tree`, "--recursive"]);
      const left = await aws(["s3", "ls", `s3://${bucket}`, "--recursive"]);
      expect(left.stdout.trim().split("\n")).toHaveLength(1);
      await aws(["s3", "rb", `s3://${bucket}`, "--force"]);
      expect((await aws(["s3", "ls"])).stdout).not.toContain(bucket);
    });
  });
}

describe.skipIf(!AWS)("aws s3api and big transfers on 4 drives", () => {
  let server: ServerHandle;
  let bucket: string;
  const aws = awsCli(() => server);
  beforeAll(async () => {
    server = await startServer({ drives: 4 });
    bucket = bucketName("s3api");
    await aws(["s3api", "create-bucket", "--bucket", bucket]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("put-object with metadata, head-object, get-object with a range", async () => {
    const work = tempDir();
    const file = join(work, "obj.bin");
    writeFileSync(file, "0123456789abcdefghij");
    const put = JSON.parse(
      (await aws(["s3api", "put-object", "--bucket", bucket, "--key", "k/obj.bin", "--body", file,
        "--content-type", "application/x-test", "--metadata", "colour=blue,size=small"])).stdout,
    );
    expect(put.ETag).toBe(`"${new Bun.CryptoHasher("md5").update("0123456789abcdefghij").digest("hex")}"`);
    const head = JSON.parse((await aws(["s3api", "head-object", "--bucket", bucket, "--key", "k/obj.bin"])).stdout);
    expect(head.ContentLength).toBe(20);
    expect(head.ContentType).toBe("application/x-test");
    expect(head.Metadata).toEqual({ colour: "blue", size: "small" });
    expect(head.ETag).toBe(put.ETag);
    const out = join(work, "range.bin");
    const get = JSON.parse(
      (await aws(["s3api", "get-object", "--bucket", bucket, "--key", "k/obj.bin", "--range", "bytes=5-9", out])).stdout,
    );
    expect(get.ContentRange).toBe("bytes 5-9/20");
    expect(await Bun.file(out).text()).toBe("56789");
  });

  test("head-object of a missing key fails with 404", async () => {
    const r = await aws(["s3api", "head-object", "--bucket", bucket, "--key", "nope"], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("404");
  });

  test("list-objects-v2 with prefix and delimiter, then delete-objects", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "sub"));
    for (const name of ["a.txt", "b.txt", "sub/c.txt", "sub/d.txt"]) writeFileSync(join(dir, name), name);
    await aws(["s3", "cp", dir, `s3://${bucket}/list/`, "--recursive"]);
    const listed = JSON.parse(
      (await aws(["s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "list/", "--delimiter", "/"])).stdout,
    );
    expect(listed.Contents.map((o: { Key: string }) => o.Key)).toEqual(["list/a.txt", "list/b.txt"]);
    expect(listed.CommonPrefixes).toEqual([{ Prefix: "list/sub/" }]);
    const del = JSON.parse(
      (await aws(["s3api", "delete-objects", "--bucket", bucket, "--delete",
        JSON.stringify({ Objects: ["list/a.txt", "list/b.txt", "list/sub/c.txt", "list/sub/d.txt"].map((Key) => ({ Key })) })])).stdout,
    );
    expect(del.Deleted).toHaveLength(4);
    // The CLI prints nothing at all for an empty page.
    const after = JSON.parse((await aws(["s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "list/"])).stdout.trim() || "{}");
    expect(after.Contents ?? []).toEqual([]);
  });

  test("create-multipart-upload, upload-part, list-parts, complete; abort another", async () => {
    const work = tempDir();
    const p1 = join(work, "p1");
    const p2 = join(work, "p2");
    await writeRandomFile(p1, 5 * 1024 * 1024, 11);
    writeFileSync(p2, "tail");
    const key = "mp/object";
    const { UploadId } = JSON.parse((await aws(["s3api", "create-multipart-upload", "--bucket", bucket, "--key", key])).stdout);
    const etags = [];
    for (const [n, f] of [[1, p1], [2, p2]] as const) {
      const r = await aws(["s3api", "upload-part", "--bucket", bucket, "--key", key, "--upload-id", UploadId,
        "--part-number", String(n), "--body", f]);
      etags.push(JSON.parse(r.stdout).ETag);
    }
    const parts = JSON.parse((await aws(["s3api", "list-parts", "--bucket", bucket, "--key", key, "--upload-id", UploadId])).stdout);
    expect(parts.Parts.map((p: { PartNumber: number; Size: number }) => [p.PartNumber, p.Size])).toEqual([[1, 5 * 1024 * 1024], [2, 4]]);
    const done = JSON.parse(
      (await aws(["s3api", "complete-multipart-upload", "--bucket", bucket, "--key", key, "--upload-id", UploadId,
        "--multipart-upload", JSON.stringify({ Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) })])).stdout,
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const head = JSON.parse((await aws(["s3api", "head-object", "--bucket", bucket, "--key", key])).stdout);
    expect(head.ContentLength).toBe(5 * 1024 * 1024 + 4);

    const other = JSON.parse((await aws(["s3api", "create-multipart-upload", "--bucket", bucket, "--key", "mp/aborted"])).stdout);
    const uploads = JSON.parse((await aws(["s3api", "list-multipart-uploads", "--bucket", bucket])).stdout);
    expect(uploads.Uploads.map((u: { UploadId: string }) => u.UploadId)).toContain(other.UploadId);
    await aws(["s3api", "abort-multipart-upload", "--bucket", bucket, "--key", "mp/aborted", "--upload-id", other.UploadId]);
    const missing = await aws(["s3api", "head-object", "--bucket", bucket, "--key", "mp/aborted"], { allowFailure: true });
    expect(missing.code).not.toBe(0);
  });

  test("copy-object keeps the bytes; delete-bucket of a non-empty bucket is refused", async () => {
    const work = tempDir();
    const src = join(work, "src");
    writeFileSync(src, "copy me");
    await aws(["s3api", "put-object", "--bucket", bucket, "--key", "copy/src", "--body", src]);
    await aws(["s3api", "copy-object", "--bucket", bucket, "--key", "copy/dst", "--copy-source", `${bucket}/copy/src`]);
    await aws(["s3api", "get-object", "--bucket", bucket, "--key", "copy/dst", join(work, "dst")]);
    expect(await Bun.file(join(work, "dst")).text()).toBe("copy me");
    const r = await aws(["s3api", "delete-bucket", "--bucket", bucket], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("BucketNotEmpty");
  });

  test("aws s3 cp of a 100 MiB file goes multipart and comes back identical", async () => {
    const work = tempDir();
    const big = join(work, "big.bin");
    await writeRandomFile(big, 100 * 1024 * 1024, 100);
    await aws(["s3", "cp", big, `s3://${bucket}/big/100m.bin`]);
    const head = JSON.parse((await aws(["s3api", "head-object", "--bucket", bucket, "--key", "big/100m.bin"])).stdout);
    expect(head.ContentLength).toBe(100 * 1024 * 1024);
    // The CLI's 8 MiB default part size: 13 parts, and an ETag that says so.
    expect(head.ETag).toMatch(/-13"$/);
    await aws(["s3", "cp", `s3://${bucket}/big/100m.bin`, join(work, "back.bin")]);
    expect(await md5File(join(work, "back.bin"))).toBe(await md5File(big));
  }, 180_000);
});
