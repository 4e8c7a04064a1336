/** Every client command against the real Cairn server process (1 drive). */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bucketName, cleanupTemp, startServer, tempDir, type ServerHandle } from "../e2e/harness";
import { expectOk, hostEnv, jsonLines, makeCli, type Cli } from "./helpers";

setDefaultTimeout(120_000);

let server: ServerHandle;
let cli: Cli;
let work: string;

beforeAll(async () => {
  server = await startServer({ drives: 1 });
  cli = makeCli({ c: hostEnv(server.url), bad: hostEnv(server.url, "cairn-e2e-access", "wrong-secret-000") });
  work = tempDir("cairn-client-work-");
});

afterAll(async () => {
  await server?.stop();
  cleanupTemp();
});

describe("alias", () => {
  test("set writes a 0600 config, ls shows it without the secret, rm removes it", async () => {
    expectOk(await cli.here("alias", "set", "mine", server.url, "cairn-e2e-access", "cairn-e2e-secret-key-0123456789"));
    const path = join(cli.configDir, "config.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8")).aliases.mine.url).toBe(server.url);
    const listed = expectOk(await cli.here("alias", "ls", "mine"));
    expect(listed.stdout).toContain(server.url);
    expect(listed.stdout).not.toContain("cairn-e2e-secret-key");
    // The configured alias really works.
    const b = bucketName("alias");
    expectOk(await cli.here("mb", `mine/${b}`));
    expect(expectOk(await cli.here("ls", "mine")).stdout).toContain(`${b}/`);
    expectOk(await cli.here("alias", "rm", "mine"));
    const gone = await cli.here("ls", "mine/x");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("unknown alias 'mine'");
    // A name every object inherits is no alias to remove (it used to report "Removed").
    const inherited = await cli.here("alias", "rm", "toString");
    expect(inherited.code).toBe(1);
    expect(inherited.stderr).toContain("unknown alias 'toString'");
  });

  test("environment aliases are listed with their source", async () => {
    const rows = jsonLines(expectOk(await cli.here("alias", "ls", "--json")));
    expect(rows.find((r) => r.alias === "c")).toMatchObject({ url: server.url, source: "env" });
  });
});

describe("errors are one line with a reliable exit code", () => {
  test("unknown alias, bad credentials, no such bucket, usage", async () => {
    const unknown = await cli("ls", "nosuchalias/bucket");
    expect([unknown.code, unknown.stderr.trim().split("\n").length]).toEqual([1, 1]);
    expect(unknown.stderr).toContain("unknown alias 'nosuchalias'");
    const denied = await cli("ls", "bad");
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe("cairn ls: Access denied: check the access key and secret for alias bad");
    const missing = await cli("ls", "c/no-such-bucket-here");
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("cairn ls: no such bucket: c/no-such-bucket-here");
    const usage = await cli("cp", "only-one-arg");
    expect(usage.code).toBe(2);
    const badFlag = await cli("ls", "--no-such-flag", "c");
    expect(badFlag.code).toBe(2);
  });

  test("a real process streams cat to a pipe and exits 0", async () => {
    const b = bucketName("proc");
    expectOk(await cli.here("mb", `c/${b}`));
    const body = "x".repeat(300_000) + "end";
    writeFileSync(join(work, "big.txt"), body);
    expectOk(await cli.here("cp", join(work, "big.txt"), `c/${b}/big.txt`));
    const r = expectOk(await cli("cat", `c/${b}/big.txt`));
    expect(r.stdout.length).toBe(body.length);
    expect(r.stdout.endsWith("end")).toBe(true);
  });
});

describe("buckets", () => {
  test("mb, mb -p on an existing bucket, rb, rb of a non-empty bucket needs --force", async () => {
    const b = bucketName("mb");
    expectOk(await cli.here("mb", `c/${b}`));
    expect((await cli.here("mb", `c/${b}`)).code).toBe(1);
    expectOk(await cli.here("mb", "-p", `c/${b}`));
    writeFileSync(join(work, "one.txt"), "one");
    expectOk(await cli.here("cp", join(work, "one.txt"), `c/${b}/one.txt`));
    const refused = await cli.here("rb", `c/${b}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--force");
    expectOk(await cli.here("rb", "--force", `c/${b}`));
    expect(expectOk(await cli.here("ls", "c")).stdout).not.toContain(`${b}/`);
  });

  test("version enable|suspend|info and rb --force of a versioned bucket", async () => {
    const b = bucketName("ver");
    expectOk(await cli.here("mb", `c/${b}`));
    expectOk(await cli.here("versioning", "enable", `c/${b}`));
    expect(expectOk(await cli.here("versioning", "info", `c/${b}`)).stdout).toContain("versioning enabled");
    writeFileSync(join(work, "v.txt"), "v1");
    expectOk(await cli.here("cp", join(work, "v.txt"), `c/${b}/v.txt`));
    writeFileSync(join(work, "v.txt"), "v2-longer");
    expectOk(await cli.here("cp", join(work, "v.txt"), `c/${b}/v.txt`));
    const versions = jsonLines(expectOk(await cli.here("ls", "--versions", "--json", `c/${b}`)));
    expect(versions.map((v) => v.size)).toEqual([9, 2]);
    expect(versions.map((v) => v.isLatest)).toEqual([true, false]);
    expectOk(await cli.here("versioning", "suspend", `c/${b}`));
    expect(expectOk(await cli.here("versioning", "info", `c/${b}`)).stdout).toContain("versioning suspended");
    expectOk(await cli.here("rb", "--force", `c/${b}`));
  });
});

describe("objects", () => {
  let b: string;
  beforeAll(async () => {
    b = bucketName("obj");
    expectOk(await cli.here("mb", `c/${b}`));
    mkdirSync(join(work, "tree/sub/deeper"), { recursive: true });
    writeFileSync(join(work, "tree/a.txt"), "line1\nline2\nline3\n");
    writeFileSync(join(work, "tree/sub/b.json"), '{"b":1}');
    writeFileSync(join(work, "tree/sub/deeper/c.bin"), new Uint8Array(3000).fill(7));
  });

  test("cp -r uploads a tree, ls shows one level or all, --json rows", async () => {
    expectOk(await cli.here("cp", "-r", "--quiet", join(work, "tree"), `c/${b}/`));
    const top = expectOk(await cli.here("ls", `c/${b}/tree`)).stdout;
    expect(top).toContain("a.txt");
    expect(top).toContain("sub/");
    expect(top).not.toContain("c.bin");
    const all = jsonLines(expectOk(await cli.here("ls", "-r", "--json", `c/${b}`)));
    expect(all.map((r) => [r.key, r.size])).toEqual([
      ["tree/a.txt", 18],
      ["tree/sub/b.json", 7],
      ["tree/sub/deeper/c.bin", 3000],
    ]);
  });

  test("content type is preserved and --attr sets metadata; stat --json shows both", async () => {
    expectOk(await cli.here("cp", "--attr", "Cache-Control=max-age=60;Owner=alice", join(work, "tree/sub/b.json"), `c/${b}/meta.json`));
    const info = jsonLines(expectOk(await cli.here("stat", "--json", `c/${b}/meta.json`)))[0]!;
    expect(info.contentType).toBe("application/json;charset=utf-8");
    expect(info.metadata).toEqual({ owner: "alice" });
    expect(info.size).toBe(7);
    // A server-side copy keeps type and metadata.
    expectOk(await cli.here("cp", `c/${b}/meta.json`, `c/${b}/meta-copy.json`));
    const copy = jsonLines(expectOk(await cli.here("stat", "--json", `c/${b}/meta-copy.json`)))[0]!;
    expect([copy.contentType, copy.metadata, copy.etag]).toEqual([info.contentType, info.metadata, info.etag]);
  });

  test("cat, head -n, and download with cp -r", async () => {
    expect(expectOk(await cli.here("cat", `c/${b}/tree/a.txt`)).stdout).toBe("line1\nline2\nline3\n");
    expect(expectOk(await cli.here("head", "-n", "2", `c/${b}/tree/a.txt`)).stdout).toBe("line1\nline2\n");
    const down = join(work, "down");
    expectOk(await cli.here("cp", "-r", "--quiet", `c/${b}/tree/`, `${down}/`));
    expect(readFileSync(join(down, "tree/sub/deeper/c.bin"))).toEqual(Buffer.from(new Uint8Array(3000).fill(7)));
    expect(readFileSync(join(down, "tree/a.txt"), "utf8")).toBe("line1\nline2\nline3\n");
  });

  test("cat of a missing object fails with a one-line error", async () => {
    const r = await cli.here("cat", `c/${b}/nope.txt`);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`cairn cat: no such object: c/${b}/nope.txt`);
  });

  test("find by name and size, du totals and per-prefix", async () => {
    expect(expectOk(await cli.here("find", `c/${b}/tree`, "--name", "*.json")).stdout.trim()).toBe(`c/${b}/tree/sub/b.json`);
    expect(expectOk(await cli.here("find", `c/${b}/tree`, "--larger", "1KiB")).stdout.trim()).toBe(`c/${b}/tree/sub/deeper/c.bin`);
    expect(expectOk(await cli.here("find", `c/${b}/tree`, "--newer-than", "1h")).stdout.trim().split("\n")).toHaveLength(3);
    expect(expectOk(await cli.here("find", `c/${b}/tree`, "--older-than", "1h")).stdout.trim()).toBe("");
    const du = jsonLines(expectOk(await cli.here("du", "--json", "-d", "1", `c/${b}/tree`)));
    expect(du).toContainEqual({ prefix: `c/${b}/tree/sub/`, size: 3007, objects: 2 });
    expect(du.at(-1)).toEqual({ prefix: `c/${b}/tree`, size: 3025, objects: 3 });
  });

  test("tag set, ls and rm on an object", async () => {
    expectOk(await cli.here("tag", "set", `c/${b}/tree/a.txt`, "team=storage&tier=hot"));
    expect(JSON.parse(expectOk(await cli.here("tag", "ls", "--json", `c/${b}/tree/a.txt`)).stdout)).toEqual({ team: "storage", tier: "hot" });
    expectOk(await cli.here("tag", "rm", `c/${b}/tree/a.txt`));
    expect(JSON.parse(expectOk(await cli.here("tag", "ls", "--json", `c/${b}/tree/a.txt`)).stdout)).toEqual({});
  });

  test("tags on a bucket; an untagged bucket lists none", async () => {
    expect(JSON.parse(expectOk(await cli.here("tag", "ls", "--json", `c/${b}`)).stdout)).toEqual({});
    expectOk(await cli.here("tag", "set", `c/${b}`, "cost-centre=42"));
    expect(expectOk(await cli.here("tag", "ls", `c/${b}`)).stdout).toBe("cost-centre=42\n");
  });

  test("ls and stat also work on local paths", async () => {
    const rows = jsonLines(expectOk(await cli.here("ls", "--json", join(work, "tree"))));
    expect(rows.map((r) => r.key)).toEqual(["a.txt", "sub/"]);
    expect(jsonLines(expectOk(await cli.here("stat", "--json", join(work, "tree/a.txt"))))[0]).toMatchObject({ size: 18, type: "file" });
  });

  test("share download and upload print working presigned URLs", async () => {
    const get = expectOk(await cli.here("share", "download", "--expire", "1h", `c/${b}/tree/a.txt`)).stdout.trim();
    expect(await (await fetch(get)).text()).toBe("line1\nline2\n" + "line3\n");
    const put = expectOk(await cli.here("share", "upload", `c/${b}/shared.txt`)).stdout.trim();
    expect((await fetch(put, { method: "PUT", body: "via presigned PUT" })).status).toBe(200);
    expect(expectOk(await cli.here("cat", `c/${b}/shared.txt`)).stdout).toBe("via presigned PUT");
  });

  test("rm: one object; -r asks and refuses without a terminal; --force; --older-than; --versions", async () => {
    expectOk(await cli.here("rm", `c/${b}/shared.txt`));
    expect((await cli.here("stat", `c/${b}/shared.txt`)).code).toBe(1);
    const again = await cli.here("rm", `c/${b}/shared.txt`);
    expect([again.code, again.stderr.trim()]).toEqual([1, `cairn rm: no such object: c/${b}/shared.txt`]);
    const refused = await cli.here("rm", "-r", `c/${b}/tree`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--force");
    expect(jsonLines(expectOk(await cli.here("ls", "-r", "--json", `c/${b}/tree`)))).toHaveLength(3);
    // Nothing in the tree is a day old: --older-than keeps it all.
    expectOk(await cli.here("rm", "-r", "--force", "--older-than", "1d", `c/${b}/tree`));
    expect(jsonLines(expectOk(await cli.here("ls", "-r", "--json", `c/${b}/tree`)))).toHaveLength(3);
    const removed = expectOk(await cli.here("rm", "-r", "--force", `c/${b}/tree`));
    expect(removed.stdout.trim().split("\n")).toHaveLength(3);
    expect(expectOk(await cli.here("ls", "-r", `c/${b}/tree`)).stdout).toBe("");
  });

  test("rm --versions removes every version and delete marker", async () => {
    const vb = bucketName("rmv");
    expectOk(await cli.here("mb", `c/${vb}`));
    expectOk(await cli.here("versioning", "enable", `c/${vb}`));
    writeFileSync(join(work, "x.txt"), "x");
    for (let i = 0; i < 2; i++) expectOk(await cli.here("cp", join(work, "x.txt"), `c/${vb}/x.txt`));
    expectOk(await cli.here("rm", `c/${vb}/x.txt`));
    expect(jsonLines(expectOk(await cli.here("ls", "--versions", "--json", `c/${vb}`)))).toHaveLength(3);
    expectOk(await cli.here("rm", "--versions", "--force", `c/${vb}/x.txt`));
    expect(jsonLines(expectOk(await cli.here("ls", "--versions", "--json", `c/${vb}`)))).toHaveLength(0);
    expectOk(await cli.here("rb", `c/${vb}`));
  });
});
