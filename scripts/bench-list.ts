/**
 * LIST throughput of the erasure layer called directly (no HTTP): 4 drives EC:2, a bucket with
 * --keys keys flat (`list-flat/<n>`) and nested (`list-nested/d<n%10>/e<n/10%100>/<n>`), the
 * key names scripts/bench.ts uses. Pages of 1,000 are fetched with continuation markers until
 * the namespace is exhausted, as a client does.
 *
 *   bun scripts/bench-list.ts [--dir /tmp/h5/list] [--keys 100000] [--passes 2] [--walk]
 *
 * The namespace is built once and kept in --dir (re-used by later runs): one real PUT per
 * layout, whose xl.meta is then copied into every other key's directory on each drive. The
 * copies carry the first key's erasure distribution, which a LIST never looks at (a GET of
 * them would fail); building 100,000 keys by PUT takes minutes on a busy shared disk.
 * Serve the same drives over HTTP with `bun src/main.ts server DIR/d{1...4}`.
 * --walk also times one drive's bare walk of each layout.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openErasureLayer } from "../src/erasure/index";
import { LocalDrive } from "../src/storage/index";

const { values: args } = parseArgs({
  options: {
    dir: { type: "string", default: "/tmp/cairn-bench-list" },
    keys: { type: "string", default: "100000" },
    passes: { type: "string", default: "2" },
    walk: { type: "boolean", default: false },
  },
});
const KEYS = Number(args.keys);
const root = args.dir!;
const drives = [1, 2, 3, 4].map((i) => join(root, `d${i}`));
const BUCKET = "bench";

const layouts = {
  flat: (n: number) => `list-flat/${n}`,
  nested: (n: number) => `list-nested/d${n % 10}/e${Math.floor(n / 10) % 100}/${n}`,
};

async function build(layer: Awaited<ReturnType<typeof openErasureLayer>>): Promise<void> {
  await layer.makeBucket(BUCKET).catch(() => undefined);
  for (const [name, keyOf] of Object.entries(layouts)) {
    const first = keyOf(0);
    await layer.putObject(BUCKET, first, new Blob([]).stream(), { size: 0, metadata: { user: {} }, versioning: "unversioned" });
    const t = performance.now();
    for (const d of drives) {
      const src = join(d, BUCKET, first, "~xl.meta");
      for (let i = 1; i < KEYS; i += 64) {
        const batch: Promise<void>[] = [];
        for (let n = i; n < Math.min(KEYS, i + 64); n++) {
          const dir = join(d, BUCKET, keyOf(n));
          batch.push(mkdir(dir, { recursive: true }).then(() => copyFile(src, join(dir, "~xl.meta"))));
        }
        await Promise.all(batch);
      }
    }
    console.log(`built ${name}: ${KEYS} keys in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

const fresh = !existsSync(join(root, `ready-${KEYS}`));
if (fresh) drives.forEach((d) => mkdirSync(d, { recursive: true }));
const layer = await openErasureLayer({ drives, parity: 2 });
if (fresh) {
  await build(layer);
  writeFileSync(join(root, `ready-${KEYS}`), "");
}

const rows: Record<string, string | number>[] = [];
for (const name of Object.keys(layouts)) {
  const prefix = `list-${name}/`;
  for (let pass = 0; pass < Number(args.passes); pass++) {
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    let n = 0;
    let pages = 0;
    let marker: string | undefined;
    for (;;) {
      const r = await layer.listObjects(BUCKET, { prefix, maxKeys: 1000, ...(marker !== undefined && { marker }) });
      n += r.objects.length + r.prefixes.length;
      pages++;
      if (!r.isTruncated) break;
      marker = r.nextMarker;
    }
    const s = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // Per CPU second too: the shared machine's wall-clock figures swing with its load.
    const cpuS = (cpu.user + cpu.system) / 1e6;
    rows.push({ case: `listObjects ${name} pass ${pass + 1}`, keys: n, pages, seconds: s.toFixed(2), keysPerSec: Math.round(n / s), keysPerCpuSec: Math.round(n / cpuS) });
  }
  if (args.walk) {
    const drive = await LocalDrive.open(drives[0]!);
    const t = performance.now();
    let n = 0;
    for await (const _ of drive.walk(BUCKET, { prefix })) n++;
    const s = (performance.now() - t) / 1000;
    rows.push({ case: `walk one drive ${name}`, keys: n, pages: 1, seconds: s.toFixed(2), keysPerSec: Math.round(n / s) });
  }
}
await layer.close();
console.table(rows);
console.log(JSON.stringify(rows));
