/**
 * LIST throughput over --keys keys, 4 drives EC:2, flat (`list-flat/<n>`) and nested
 * (`list-nested/d<n%10>/e<n/10%100>/<n>`), the key names scripts/bench.ts uses. Pages of 1,000
 * are fetched with continuation markers until the namespace is exhausted, as a client does;
 * --concurrency listers do so side by side, each from the start. Pass 1 walks the drives (its
 * first page one page's worth, each continuation walk four pages' worth, so pages 3-5, 7-9, …
 * come from what the walk before them stored); later passes can take all their continuation
 * pages from the listing cache (src/erasure/listing-cache.ts).
 *
 *   bun scripts/bench-list.ts [--dir /tmp/h5/list] [--keys 100000] [--passes 2] [--walk]
 *                             [--http [--port 9300] [--server-prof DIR] [--instructions]]
 *                             [--concurrency 1]
 *
 * Without --http the erasure layer is called in-process (no HTTP, no XML). With --http a real
 * server (`bun src/main.ts server`) is started on the same drives and listed with signed
 * ListObjectsV2 requests; its CPU seconds are read from /proc (--server-prof: its CPU profile;
 * --instructions: the user and kernel instructions it ran per key, counted by `perf stat` on it
 * during each pass: unlike its seconds, these hold still while the shared machine's speed swings).
 *
 * The namespace is built once and kept in --dir (re-used by later runs): one real PUT per
 * layout, whose xl.meta is then copied into every other key's directory on each drive. The
 * copies carry the first key's erasure distribution, which a LIST never looks at (a GET of
 * them would fail); building 100,000 keys by PUT takes minutes on a busy shared disk.
 * --walk also times one drive's bare walk of each layout (in-process only).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openErasureLayer } from "../src/erasure/index";
import { LocalDrive } from "../src/storage/index";
import { cpuSecondsOf, stopProcess, waitForHttp } from "./bench/procs";
import { SigV4 } from "./bench/sigv4";

const { values: args } = parseArgs({
  options: {
    dir: { type: "string", default: "/tmp/cairn-bench-list" },
    keys: { type: "string", default: "100000" },
    passes: { type: "string", default: "2" },
    walk: { type: "boolean", default: false },
    http: { type: "boolean", default: false },
    port: { type: "string", default: "9300" },
    "server-prof": { type: "string" },
    instructions: { type: "boolean", default: false },
    concurrency: { type: "string", default: "1" },
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

/** One page after `marker`: entries returned and the marker of the next page, if any. */
type Lister = (prefix: string, marker: string | undefined) => Promise<{ n: number; next?: string }>;

const inProcess: Lister = async (prefix, marker) => {
  const r = await layer.listObjects(BUCKET, { prefix, maxKeys: 1000, ...(marker !== undefined && { marker }) });
  return { n: r.objects.length + r.prefixes.length, ...(r.isTruncated && { next: r.nextMarker! }) };
};

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

const XML_ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'" };

function overHttp(base: string): Lister {
  const signer = new SigV4({ accessKey: "minioadmin", secretKey: "minioadmin" });
  return async (prefix, token) => {
    const q = new URLSearchParams({ "list-type": "2", "max-keys": "1000", prefix });
    if (token !== undefined) q.set("continuation-token", token);
    const url = new URL(`${base}/${BUCKET}?${q}`);
    const res = await fetch(url, { headers: signer.headers("GET", url, new Date()) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`LIST: HTTP ${res.status} ${text.slice(0, 200)}`);
    // Counting elements, not parsing: a full parse of a 1,000-key page costs the client ~20 ms.
    const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(text)?.[1]?.replace(/&[a-z]+;/g, (e) => XML_ENTITIES[e] ?? e);
    return { n: countOf(text, "<Key>") + countOf(text, "<CommonPrefixes>"), ...(next !== undefined && { next }) };
  };
}

/** One lister's pass over the whole namespace: entries and pages seen. */
async function pass(list: Lister, prefix: string): Promise<{ n: number; pages: number }> {
  let n = 0;
  let pages = 0;
  for (let marker: string | undefined, more = true; more; pages++) {
    const r = await list(prefix, marker);
    n += r.n;
    marker = r.next;
    more = r.next !== undefined;
  }
  return { n, pages };
}

async function startServer(): Promise<{ base: string; pid: number; cpu: () => number; stop: () => Promise<void> }> {
  const port = Number(args.port);
  const prof = args["server-prof"] ? ["--cpu-prof", "--cpu-prof-dir", args["server-prof"]] : [];
  const address = ["--address", `127.0.0.1:${port}`, "--console-address", `127.0.0.1:${port + 1}`];
  const proc = Bun.spawn([process.execPath, ...prof, "src/main.ts", "server", ...address, ...drives], {
    cwd: join(import.meta.dir, ".."),
    env: { ...process.env, MINIO_ROOT_USER: "minioadmin", MINIO_ROOT_PASSWORD: "minioadmin", CAIRN_HEAL_INTERVAL_MS: "0" },
    stdout: "ignore",
    stderr: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/minio/health/ready`, { since: performance.now(), timeoutMs: 30_000, proc, ok: (s) => s === 200 });
  return { base, pid: proc.pid, cpu: () => cpuSecondsOf(proc.pid), stop: () => stopProcess(proc) };
}

/** Counts the instructions process `pid` runs until the returned function is called (Debian's linux-perf). */
async function countInstructions(pid: number): Promise<() => Promise<{ user: number; kernel: number }>> {
  const out = join(args.dir, `perf-${pid}.txt`);
  if (Bun.which("perf") === null) throw new Error("--instructions needs perf (apt-get install linux-perf)");
  const perf = Bun.spawn(["perf", "stat", "-x,", "-e", "instructions:u,instructions:k", "-p", String(pid), "-o", out], { stdout: "ignore", stderr: "inherit" });
  await Bun.sleep(300); // attached
  return async () => {
    perf.kill("SIGINT");
    await perf.exited;
    const text = await Bun.file(out).text();
    rmSync(out, { force: true });
    const counts = text.split("\n").filter((l) => l.includes("instructions"));
    const field = (suffix: string) => Number(counts.find((l) => l.includes(`instructions:${suffix}`))?.split(",")[0] ?? Number.NaN);
    return { user: field("u"), kernel: field("k") };
  };
}

const rows: Record<string, string | number>[] = [];
const conc = Number(args.concurrency);
const server = args.http ? (await layer.close(), await startServer()) : null;
const list = server ? overHttp(server.base) : inProcess;
// Per CPU second too: the shared machine's wall-clock figures swing with its load. Over HTTP
// that is the server's CPU (the client's own is printed beside it).
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const serverCpu = server ? server.cpu : ownCpu;
for (const name of Object.keys(layouts)) {
  const prefix = `list-${name}/`;
  for (let p = 0; p < Number(args.passes); p++) {
    const counted = server && args.instructions ? await countInstructions(server.pid) : null;
    const [t, cpu0, own0] = [performance.now(), serverCpu(), ownCpu()];
    const done = await Promise.all(Array.from({ length: conc }, () => pass(list, prefix)));
    const s = (performance.now() - t) / 1000;
    const instructions = await counted?.();
    const [cpuS, ownS] = [serverCpu() - cpu0, ownCpu() - own0];
    const n = done.reduce((a, d) => a + d.n, 0);
    const pages = done.reduce((a, d) => a + d.pages, 0);
    const row: Record<string, string | number> = { case: `${server ? "http" : "layer"} ${name} c=${conc} pass ${p + 1}`, keys: n, pages, seconds: s.toFixed(2) };
    Object.assign(row, { keysPerSec: Math.round(n / s), keysPerCpuSec: Math.round(n / cpuS) }, server && { clientCpuS: ownS.toFixed(1) });
    if (instructions) Object.assign(row, { userInstrPerKey: Math.round(instructions.user / n), kernelInstrPerKey: Math.round(instructions.kernel / n) });
    rows.push(row);
  }
  if (args.walk && !server) {
    const drive = await LocalDrive.open(drives[0]!);
    const t = performance.now();
    let n = 0;
    for await (const _ of drive.walk(BUCKET, { prefix })) n++;
    const s = (performance.now() - t) / 1000;
    rows.push({ case: `walk one drive ${name}`, keys: n, pages: 1, seconds: s.toFixed(2), keysPerSec: Math.round(n / s) });
  }
}
if (server) await server.stop();
else await layer.close();
console.table(rows);
console.log(JSON.stringify(rows));
