import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { LocalDrive, type DataFileReader } from "../storage/index";
import { body, collect, md5, meta, tempDrives } from "../../test/suites/helpers";
import { openErasureLayer, type ErasureLayer } from "./index";
import { ShardFiles } from "./shard-files";

/** A fake opener: counts opens and closes; each read waits for `gate` when one is set. */
function opener() {
  const log: string[] = [];
  let gate: Promise<void> | null = null;
  let fail = false;
  const open = async (shard: number, part: number): Promise<DataFileReader> => {
    log.push(`open ${shard}/${part}`);
    if (fail) throw new Error("gone");
    return {
      readInto: async (offset, into) => {
        if (gate) await gate;
        log.push(`read ${shard}/${part}@${offset}`);
        into.fill(shard);
      },
      close: async () => void log.push(`close ${shard}/${part}`),
    };
  };
  return {
    open,
    log,
    hold: () => {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
    failOpens: (v: boolean) => void (fail = v),
  };
}

const settle = () => Bun.sleep(1);

describe("ShardFiles", () => {
  test("a shard's blocks of one part share one open; the next part closes it; closeAll closes the rest", async () => {
    const o = opener();
    const files = new ShardFiles(o.open);
    const buf = new Uint8Array(4);
    for (const offset of [0, 100, 200]) {
      await Promise.all([files.readInto({ shard: 0, part: 1, offset }, buf), files.readInto({ shard: 1, part: 1, offset }, buf)]);
    }
    expect(o.log.filter((l) => l.startsWith("open"))).toEqual(["open 0/1", "open 1/1"]);
    await files.readInto({ shard: 0, part: 2, offset: 0 }, buf);
    await settle();
    expect(o.log).toContain("open 0/2");
    expect(o.log).toContain("close 0/1");
    expect(o.log).not.toContain("close 1/1");
    files.closeAll();
    await settle();
    expect(o.log.filter((l) => l.startsWith("close")).sort()).toEqual(["close 0/1", "close 0/2", "close 1/1"]);
    // A read after closeAll opens again (an idle-released stream that is read on).
    await files.readInto({ shard: 1, part: 1, offset: 300 }, buf);
    expect(o.log.filter((l) => l === "open 1/1")).toHaveLength(2);
  });

  test("a file is closed only after its read in flight has finished", async () => {
    const o = opener();
    const files = new ShardFiles(o.open);
    const release = o.hold();
    const read = files.readInto({ shard: 0, part: 1, offset: 0 }, new Uint8Array(4));
    await settle();
    files.closeAll();
    await settle();
    expect(o.log).toEqual(["open 0/1"]);
    release();
    await read;
    await settle();
    expect(o.log).toEqual(["open 0/1", "read 0/1@0", "close 0/1"]);
  });

  test("a failed open is not kept: the read fails, and the next read of the shard opens again", async () => {
    const o = opener();
    const files = new ShardFiles(o.open);
    o.failOpens(true);
    await expect(files.readInto({ shard: 0, part: 1, offset: 0 }, new Uint8Array(4))).rejects.toThrow("gone");
    o.failOpens(false);
    await files.readInto({ shard: 0, part: 1, offset: 0 }, new Uint8Array(4));
    expect(o.log).toEqual(["open 0/1", "open 0/1", "read 0/1@0"]);
  });
});

describe("a GET stream on real drives", () => {
  const t = tempDrives(4);
  const opens: string[] = [];
  let L: ErasureLayer;
  const data = crypto.getRandomValues(new Uint8Array(5 * 1024 * 1024 + 123));
  const openFds = () => readdirSync("/proc/self/fd").length;

  beforeAll(async () => {
    const drives = await Promise.all(
      t.drives.map(async (d, i) => {
        const drive = await LocalDrive.open(d);
        const openFile = drive.openFile.bind(drive);
        drive.openFile = (ref) => (opens.push(`${i}:${ref.file}`), openFile(ref));
        return drive;
      }),
    );
    L = await openErasureLayer({ drives: t.drives, driveImpls: drives, parity: 2 });
    await L.makeBucket("bkt");
    await L.putObject("bkt", "big", body(data), { size: data.length, metadata: meta(), versioning: "unversioned" });
  });
  afterAll(() => t.cleanup());

  test("reads each data shard's file through one open, and leaves no descriptor open", async () => {
    const before = openFds();
    opens.length = 0;
    expect(md5(await collect((await L.getObject("bkt", "big")).body))).toBe(md5(data));
    // 6 blocks of 1 MiB from 2 data shards: 2 opens, not 12.
    expect(opens).toHaveLength(2);
    await settle();
    expect(openFds()).toBe(before);
  });

  test("a body cancelled after its first chunk closes its files", async () => {
    const before = openFds();
    const reader = (await L.getObject("bkt", "big")).body.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(openFds()).toBeGreaterThan(before);
    await reader.cancel();
    for (let i = 0; i < 50 && openFds() !== before; i++) await Bun.sleep(10);
    expect(openFds()).toBe(before);
  });
});
