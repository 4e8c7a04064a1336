/**
 * The same cp / mirror / diff behaviour against s3rver, an independent S3 implementation
 * (SigV4, path-style), and across two different servers (Cairn → s3rver): the client is not
 * tied to Cairn.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { startS3rver, type Target } from "../../scripts/bench/targets";
import { bucketName, cleanupTemp, md5File, startServer, tempDir, writeRandomFile, type ServerHandle } from "../e2e/harness";
import { expectOk, hostEnv, jsonLines, makeCli, type Cli } from "./helpers";

setDefaultTimeout(120_000);

let s3rver: Target;
let cairn: ServerHandle;
let cli: Cli;
let work: string;

beforeAll(async () => {
  work = tempDir("cairn-client-s3rver-");
  [s3rver, cairn] = await Promise.all([startS3rver({ repo: join(import.meta.dir, "../.."), root: work }), startServer({ drives: 1 })]);
  cli = makeCli({ s: hostEnv(s3rver.endpoint, s3rver.accessKey, s3rver.secretKey), c: hostEnv(cairn.url) });
});

afterAll(async () => {
  await Promise.all([s3rver?.stop(), cairn?.stop()]);
  cleanupTemp();
});

function makeTree(root: string, files: Record<string, string>): void {
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), body);
  }
}

for (const alias of ["s", "c"] as const) {
  describe(`against ${alias === "s" ? "s3rver" : "cairn"}`, () => {
    let bucket: string;
    let src: string;

    beforeAll(async () => {
      bucket = bucketName(`mir-${alias}`);
      src = join(work, `src-${alias}`);
      makeTree(src, { "a.txt": "alpha", "docs/b.md": "# bee", "docs/deep/c.log": "c".repeat(5000), "skip.tmp": "temp" });
      expectOk(await cli.here("mb", `${alias}/${bucket}`));
    });

    test("mirror copies a tree, honours --exclude, and a second run copies nothing", async () => {
      const first = jsonLines(expectOk(await cli.here("mirror", "--json", "--exclude", "*.tmp", src, `${alias}/${bucket}/m`)));
      expect(first.map((r) => r.target).sort()).toEqual([`${alias}/${bucket}/m/a.txt`, `${alias}/${bucket}/m/docs/b.md`, `${alias}/${bucket}/m/docs/deep/c.log`]);
      const second = jsonLines(expectOk(await cli.here("mirror", "--json", "--exclude", "*.tmp", src, `${alias}/${bucket}/m`)));
      expect(second).toEqual([]);
      expect(expectOk(await cli.here("cat", `${alias}/${bucket}/m/docs/b.md`)).stdout).toBe("# bee");
    });

    test("diff lists only-in-source, only-in-target and differs, then mirror --overwrite --remove converges", async () => {
      writeFileSync(join(src, "a.txt"), "alpha, changed");
      writeFileSync(join(src, "docs/b.md"), "# BEE"); // same size, different content: an ETag difference
      writeFileSync(join(src, "new.txt"), "new");
      writeFileSync(join(work, `extra-${alias}.txt`), "extra");
      expectOk(await cli.here("cp", join(work, `extra-${alias}.txt`), `${alias}/${bucket}/m/extra.txt`));
      const rows = jsonLines(expectOk(await cli.here("diff", "--json", src, `${alias}/${bucket}/m`)));
      expect(rows).toEqual([
        { status: "differs-size", name: "a.txt" },
        { status: "differs-etag", name: "docs/b.md" },
        { status: "only-in-target", name: "extra.txt" },
        { status: "only-in-source", name: "new.txt" },
        { status: "only-in-source", name: "skip.tmp" },
      ]);
      // Without --overwrite, differing objects are left alone.
      const cautious = jsonLines(expectOk(await cli.here("mirror", "--json", "--exclude", "*.tmp", src, `${alias}/${bucket}/m`)));
      expect(cautious.filter((r) => r.action === "copy").map((r) => r.target)).toEqual([`${alias}/${bucket}/m/new.txt`]);
      const dry = jsonLines(expectOk(await cli.here("mirror", "--json", "--dry-run", "--overwrite", "--remove", "--exclude", "*.tmp", src, `${alias}/${bucket}/m`)));
      expect(dry.map((r) => r.action).sort()).toEqual(["would copy", "would copy", "would remove"]);
      expectOk(await cli.here("mirror", "--quiet", "--overwrite", "--remove", "--exclude", "*.tmp", src, `${alias}/${bucket}/m`));
      const after = jsonLines(expectOk(await cli.here("diff", "--json", src, `${alias}/${bucket}/m`)));
      expect(after).toEqual([{ status: "only-in-source", name: "skip.tmp" }]);
    });

    test("mirror remote → local, and cp of a multipart-sized file both ways", async () => {
      const down = join(work, `down-${alias}`);
      expectOk(await cli.here("mirror", "--quiet", `${alias}/${bucket}/m`, down));
      expect(readFileSync(join(down, "docs/deep/c.log"), "utf8")).toBe("c".repeat(5000));
      expect(existsSync(join(down, "skip.tmp"))).toBe(false);
      const big = join(work, `big-${alias}.bin`);
      await writeRandomFile(big, 11 * 1024 * 1024, 9);
      expectOk(await cli.here("cp", "--quiet", "--part-size", "5MiB", "--multipart-threshold", "5MiB", big, `${alias}/${bucket}/big.bin`));
      const back = join(work, `big-${alias}.back`);
      expectOk(await cli.here("cp", "--quiet", `${alias}/${bucket}/big.bin`, back));
      expect(await md5File(back)).toBe(await md5File(big));
    });
  });
}

test("mirror between two different servers (Cairn → s3rver) streams through the client", async () => {
  const from = bucketName("from");
  const to = bucketName("to");
  expectOk(await cli.here("mb", `c/${from}`, `s/${to}`));
  makeTree(join(work, "x"), { "one.txt": "1", "two/three.txt": "3" });
  expectOk(await cli.here("cp", "-r", "--quiet", join(work, "x"), `c/${from}/`));
  expectOk(await cli.here("cp", "--quiet", "--attr", "Colour=blue", join(work, "x/one.txt"), `c/${from}/x/one.txt`));
  expectOk(await cli.here("mirror", "--quiet", `c/${from}/x`, `s/${to}/y`));
  expect(expectOk(await cli.here("diff", `c/${from}/x`, `s/${to}/y`)).stdout).toBe("");
  const meta = jsonLines(expectOk(await cli.here("stat", "--json", `s/${to}/y/one.txt`)))[0]!;
  expect(meta.metadata).toEqual({ colour: "blue" });
  expect(String(meta.contentType)).toStartWith("text/plain");
});
