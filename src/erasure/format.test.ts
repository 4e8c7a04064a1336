import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openErasureLayer } from "./index";
import { FormatError } from "./format";
import { tempDrives } from "../../test/suites/helpers";

describe("format.json: identity and layout", () => {
  const t = tempDrives(8);
  afterAll(() => t.cleanup());

  test("blank drives are formatted; reopening keeps the deployment; a blank drive takes its slot", async () => {
    const four = t.drives.slice(0, 4);
    const a = await openErasureLayer({ drives: four, deploymentId: "dep-A" });
    expect(a.deploymentId).toBe("dep-A");
    await a.makeBucket("bkt");
    await a.close();
    rmSync(four[2]!, { recursive: true });
    mkdirSync(four[2]!);
    const b = await openErasureLayer({ drives: four });
    expect(b.deploymentId).toBe("dep-A");
    // the replaced drive got the bucket back at start
    expect((await b.listBuckets()).map((x) => x.name)).toEqual(["bkt"]);
    await b.close();
  });

  test("a drive of another deployment is refused, naming the drive", async () => {
    const other = t.drives.slice(4, 8);
    await (await openErasureLayer({ drives: other, deploymentId: "dep-B" })).close();
    const mixed = [...t.drives.slice(0, 3), other[0]!];
    const err = await openErasureLayer({ drives: mixed }).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).drive).toBe(other[0]!);
    expect(String(err)).toContain("dep-B");
  });

  test("a changed layout (different drive count) is refused", async () => {
    const err = await openErasureLayer({ drives: t.drives.slice(0, 2) }).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(String(err)).toContain("layout changed");
  });

  test("an explicit deployment id that does not match is refused", async () => {
    const err = await openErasureLayer({ drives: t.drives.slice(0, 4), deploymentId: "dep-Z" }).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
  });

  test("a damaged format.json is rewritten into the drive's slot", async () => {
    const path = join(t.drives[1]!, ".cairn.sys", "format.json");
    const before = JSON.parse(readFileSync(path, "utf8")) as { driveId: string };
    writeFileSync(path, "{ not json");
    const L = await openErasureLayer({ drives: t.drives.slice(0, 4) });
    expect(L.deploymentId).toBe("dep-A");
    await L.close();
    const after = JSON.parse(readFileSync(path, "utf8")) as { driveId: string; deploymentId: string };
    expect(after.deploymentId).toBe("dep-A");
    expect(after.driveId).toBe(before.driveId);
  });
});
