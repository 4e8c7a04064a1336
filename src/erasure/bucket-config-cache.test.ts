/** The layer's bucket-config cache never serves a value older than the last completed write. */
import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tempDrives } from "../../test/suites/helpers";
import { openErasureLayer } from "./index";

const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const enc = (s: string) => new TextEncoder().encode(s);

test("config reads follow writes and deletes, also when a read races a write", async () => {
  const t = tempDrives(4);
  const layer = await openErasureLayer({ drives: t.drives, parity: 2 });
  try {
    await layer.makeBucket("cfg");
    expect(await layer.getBucketConfig("cfg", "versioning")).toBeNull();
    await layer.setBucketConfig("cfg", "versioning", enc("Enabled"));
    expect(text(await layer.getBucketConfig("cfg", "versioning"))).toBe("Enabled");

    // A read started before a write must not leave its (old) answer in the cache.
    const racing = layer.getBucketConfig("cfg", "versioning");
    const write = layer.setBucketConfig("cfg", "versioning", enc("Suspended"));
    await Promise.all([racing, write]);
    expect(text(await layer.getBucketConfig("cfg", "versioning"))).toBe("Suspended");

    await layer.setBucketConfig("cfg", "versioning", null);
    expect(await layer.getBucketConfig("cfg", "versioning")).toBeNull();

    // A recreated bucket starts without the old bucket's config.
    await layer.setBucketConfig("cfg", "policy", enc("{}"));
    expect(text(await layer.getBucketConfig("cfg", "policy"))).toBe("{}");
    await layer.deleteBucket("cfg");
    await layer.makeBucket("cfg");
    expect(await layer.getBucketConfig("cfg", "policy")).toBeNull();
  } finally {
    await layer.close();
    t.cleanup();
  }
});

test("bucket configs live on the drives under .cairn.sys/buckets/<bucket>: a fresh layer reads them from there", async () => {
  const t = tempDrives(1);
  let layer = await openErasureLayer({ drives: t.drives });
  await layer.makeBucket("cfg");
  await layer.setBucketConfig("cfg", "tagging", enc("x"));
  await layer.close();
  rmSync(join(t.drives[0]!, ".cairn.sys", "buckets", "cfg"), { recursive: true, force: true });
  layer = await openErasureLayer({ drives: t.drives });
  try {
    expect(await layer.getBucketConfig("cfg", "tagging")).toBeNull();
  } finally {
    await layer.close();
    t.cleanup();
  }
});
