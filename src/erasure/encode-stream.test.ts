/**
 * The PUT data path shares pooled block and encode buffers between uploads and writes frames
 * straight from them: many uploads at once, of sizes around the block edges, must each come back
 * byte for byte (a buffer handed to two uploads, or reused while its write is in flight, would
 * mix their bytes).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { body, bytes, collect, meta, tempDrives } from "../../test/suites/helpers";
import type { ObjectLayer } from "../object/index";
import { openErasureLayer } from "./index";
import { freeWholeChunk, releasable } from "../lib/index";

const MiB = 1 << 20;
let t: ReturnType<typeof tempDrives>;
let layer: ObjectLayer & { close(): Promise<void> };

beforeAll(async () => {
  t = tempDrives(4);
  layer = await openErasureLayer({ drives: t.drives, parity: 2 });
  await layer.makeBucket("bkt");
});
afterAll(async () => {
  await layer.close();
  t.cleanup();
});

test("24 concurrent PUTs around block edges each read back exactly", async () => {
  const sizes = [MiB, MiB - 1, MiB + 1, 3 * MiB + 12345, 200_000, 2 * MiB, 129 * 1024, 5 * MiB - 7];
  const cases = Array.from({ length: 24 }, (_, i) => ({ key: `k${i}`, data: bytes(sizes[i % sizes.length]!, i + 1) }));
  const infos = await Promise.all(
    cases.map((c, i) =>
      layer.putObject("bkt", c.key, body(c.data, 1000 + i * 4099), { size: c.data.length, metadata: meta(), versioning: "unversioned" }),
    ),
  );
  for (const [i, c] of cases.entries()) {
    expect(infos[i]!.etag).toBe(new Bun.CryptoHasher("md5").update(c.data).digest("hex"));
    const got = await collect((await layer.getObject("bkt", c.key)).body);
    expect(Buffer.compare(got, c.data)).toBe(0);
  }
}, 120_000);

test("a PUT whose body fails midway leaves the next PUTs' content intact", async () => {
  const good = bytes(3 * MiB + 5, 99);
  let sent = 0;
  const failing = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (sent >= 2 * MiB + 100) return ctrl.error(new Error("client went away"));
      ctrl.enqueue(bytes(65_536, sent));
      sent += 65_536;
    },
  });
  const opts = { metadata: meta(), versioning: "unversioned" as const };
  const results = await Promise.allSettled([
    layer.putObject("bkt", "bad", failing, { ...opts, size: 4 * MiB }),
    layer.putObject("bkt", "good", body(good, 65_536), { ...opts, size: good.length }),
  ]);
  expect(results[0]!.status).toBe("rejected");
  expect(results[1]!.status).toBe("fulfilled");
  const after = bytes(2 * MiB + 3, 7);
  await layer.putObject("bkt", "after", body(after, 50_000), { ...opts, size: after.length });
  expect(Buffer.compare(await collect((await layer.getObject("bkt", "good")).body), good)).toBe(0);
  expect(Buffer.compare(await collect((await layer.getObject("bkt", "after")).body), after)).toBe(0);
}, 120_000);

test("each body chunk is released once copied in, and freeing it then loses nothing (a small and a large body)", async () => {
  for (const [key, size] of [["small", 100_000], ["large", 3 * MiB + 17]] as const) {
    const data = bytes(size, size);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < size; at += 300_000) chunks.push(data.slice(at, at + 300_000)); // each its own buffer
    let released = 0;
    for (const c of chunks) releasable(c, () => (freeWholeChunk(c), released++));
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({ pull: (ctrl) => (i < chunks.length ? ctrl.enqueue(chunks[i++]!) : ctrl.close()) });
    await layer.putObject("bkt", key, stream, { size, metadata: meta(), versioning: "unversioned" });
    expect(released).toBe(chunks.length);
    expect(Buffer.compare(await collect((await layer.getObject("bkt", key)).body), data)).toBe(0);
  }
});

test("PUTs past the buffer bound wait before reading their bodies, then all complete", async () => {
  const t2 = tempDrives(4);
  // A 3 MiB PUT reserves two encode outputs (2 MiB and a few frame headers each) and a 1 MiB
  // block: two fit in 11 MiB, a third does not.
  const bounded = await openErasureLayer({ drives: t2.drives, parity: 2, buffers: { inUseBytes: 11 * MiB, reserveWaitMs: 60_000 } });
  try {
    await bounded.makeBucket("bkt");
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started = new Set<number>();
    const size = 3 * MiB + 1;
    const puts = Array.from({ length: 5 }, (_, i) => {
      const data = bytes(size, 50 + i);
      let at = 0;
      const stream = new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          started.add(i);
          if (at >= MiB) await gate; // every body stalls after its first MiB until the gate opens
          if (at >= size) return ctrl.close();
          ctrl.enqueue(data.slice(at, at + 65_536));
          at += 65_536;
        },
      }, { highWaterMark: 0 }); // pulled only when read, as the listener's request bodies are
      return { data, done: bounded.putObject("bkt", `w${i}`, stream, { size, metadata: meta(), versioning: "unversioned" }) };
    });
    while (started.size < 2) await Bun.sleep(5);
    await Bun.sleep(50);
    expect(started.size).toBe(2); // the other three hold their clients back, not memory
    open();
    await Promise.all(puts.map((p) => p.done));
    for (const [i, p] of puts.entries()) {
      expect(Buffer.compare(await collect((await bounded.getObject("bkt", `w${i}`)).body), p.data)).toBe(0);
    }
  } finally {
    await bounded.close();
    t2.cleanup();
  }
}, 120_000);
