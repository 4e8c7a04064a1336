/**
 * A walk's probes of object directories (their xl.meta bytes, whether they hold
 * sub-directories), a batch at a time, on worker threads making the syscalls themselves
 * (through libc: ffi/probe.ts).
 *
 * Why: a probe is an lstat and an open + read + close. On Bun's async fs each of them is a
 * round trip through its process-wide thread pool, plus a promise and a Buffer per call,
 * so a cold listing spent more time in that machinery than in the syscalls. A worker runs a
 * batch of probes back to back and posts them in one message whose bytes are transferred, not
 * copied. Results are exactly what the async calls returned: ENOENT is "absent", any other error
 * fails the batch (as one rejected call failed the batch's Promise.all).
 *
 * The pool is a SyncWorkers pool (lanes per drive root, workers started on demand, a dead
 * worker fails only its own job) with this file's worker source; where workers or libc cannot
 * be loaded (or CAIRN_FS_WORKERS=0), the batch runs on async fs.
 */
import { lstat, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { PROBE_SYS_WORKER_SOURCE, probeSyscallsLoad } from "../../ffi/probe";
import { isNotFound } from "./errno";
import { META_FILE } from "./paths";
import { SyncWorkers } from "./sync-workers";

/**
 * One directory to probe, `name` in `parent`: read its xl.meta (`meta`), lstat it for
 * sub-directories (`leaf`).
 */
export interface ProbeJob {
  parent: string;
  name: string;
  meta: boolean;
  leaf: boolean;
}

/** What probing one directory found. */
export interface Probe {
  /** Its xl.meta; null: none. */
  meta: Uint8Array | null;
  /** True: no sub-directories, so no longer keys. Undefined: not probed. */
  leaf: boolean | undefined;
  /** For a directory that is not a leaf, what its listing's cache stamp needs. */
  stat?: DirStamp;
}

/** The fields of a directory's lstat that stamp its cached listing (dir-listing.ts). */
export interface DirStamp {
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/**
 * Per directory: `lens` its xl.meta's length (-1: none), in order in `data`; `leaf` 1 leaf,
 * 0 not a leaf (its ino, mtime, ctime at 3i.. in `stamps`), -1 not probed.
 */
interface Answer {
  lens: Int32Array;
  leaf: Int8Array;
  stamps: BigUint64Array;
  data: Uint8Array;
}

// A short read ends a file (one read per small file, as Bun's own readFile does). Bytes are
// read straight into the batch's output buffer. Symlinks to xl.meta (or on the way to it) are
// followed, as readFile did; the directory's own lstat does not follow one. Entries of one
// parent (a walk's batch is one directory's) are reached from one descriptor of it. \`dirs\`
// names the parent once, then its entries: a token starting with "/" is a parent, any other
// is an entry of the last parent (entry names hold no "/").
const WORKER_SOURCE = `
${PROBE_SYS_WORKER_SOURCE}
const SPARE = 1 << 16;
let out = new Uint8Array(1 << 20);
function room(at) {
  if (out.length - at >= SPARE) return;
  const grown = new Uint8Array(Math.max(out.length * 2, at + SPARE));
  grown.set(out.subarray(0, at));
  out = grown;
}
function readMeta(dir, name, at) {
  if (dir < 0) return -1;
  const fd = probeSys.openAt(dir, name + "/${META_FILE}");
  if (fd < 0) return -1;
  try {
    let len = 0;
    for (;;) {
      room(at + len);
      const free = out.length - at - len;
      const n = probeSys.read(fd, out, at + len, free);
      len += n;
      if (n < free) return len;
    }
  } finally {
    probeSys.close(fd);
  }
}
function leafOf(dir, name, stamps, i) {
  const nlink = dir < 0 ? -1 : probeSys.lstatAt(dir, name);
  if (nlink === -1 || nlink === 2) return 1; // gone meanwhile: holds nothing either
  probeSys.stampInto(stamps, 3 * i);
  return 0;
}
function probe(m) {
  const tokens = m.dirs.split("\\0");
  const n = m.want.length;
  const lens = new Int32Array(n).fill(-1);
  const leaf = new Int8Array(n).fill(-1);
  const stamps = new BigUint64Array(3 * n);
  const open = new Map();
  let at = 0;
  let dir = -1;
  try {
    for (let t = 0, i = 0; t < tokens.length; t++) {
      const name = tokens[t];
      if (name.charCodeAt(0) === 47 /* "/" */) {
        dir = open.get(name);
        if (dir === undefined) open.set(name, (dir = probeSys.openDir(name)));
        continue;
      }
      if (m.want[i] & 2) leaf[i] = leafOf(dir, name, stamps, i);
      if (m.want[i] & 1) {
        lens[i] = readMeta(dir, name, at);
        if (lens[i] > 0) at += lens[i];
      }
      i++;
    }
  } finally {
    for (const fd of open.values()) if (fd >= 0) probeSys.close(fd);
  }
  return { lens, leaf, stamps, data: out.slice(0, at) };
}
self.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.op !== "probe") throw new Error("unknown job " + m.op);
    const value = probe(m);
    postMessage({ ok: true, value }, [value.lens.buffer, value.leaf.buffer, value.stamps.buffer, value.data.buffer]);
  } catch (err) {
    postMessage({ ok: false, code: err && typeof err.code === "string" ? err.code : undefined, message: String(err && err.message ? err.message : err) });
  }
};`;

function toProbes(a: Answer): Probe[] {
  const out: Probe[] = [];
  let at = 0;
  for (let i = 0; i < a.lens.length; i++) {
    const len = a.lens[i]!;
    const meta = len < 0 ? null : a.data.subarray(at, at + len);
    if (len > 0) at += len;
    const leaf = a.leaf[i]!;
    const s = 3 * i;
    if (leaf === 0) out.push({ meta, leaf: false, stat: { ino: a.stamps[s]!, mtimeNs: a.stamps[s + 1]!, ctimeNs: a.stamps[s + 2]! } });
    else out.push({ meta, leaf: leaf === 1 ? true : undefined });
  }
  return out;
}

/**
 * Workers start on demand, so this bounds probes in flight rather than threads kept. On cached
 * directories a batch is CPU-bound syscalls; relisting a namespace listed moments before,
 * sixteen workers were no slower than four (three alternated rounds, noisy); but a
 * listing's xl.meta files are often not all in the page cache (this kind of machine gives page
 * cache back within minutes), and then each probe waits for the disk: with the page cache
 * dropped, a first walk of 100,000 keys ran 1.3k keys/s on 4 workers, 1.9k on 8, 2.7k on 16
 * (same server CPU, same peak RSS; measured 2026-11-26).
 */
const DEFAULT_WIDTH = 16;

let shared: SyncWorkers | null | undefined;

/** The process's probe pool, or null where workers cannot run (tests check which path ran). */
export function probePool(): SyncWorkers | null {
  if (shared?.broken) shared = null;
  if (shared !== undefined) return shared;
  const off = process.env.CAIRN_FS_WORKERS === "0";
  const width = Number(process.env.CAIRN_PROBE_WORKERS ?? DEFAULT_WIDTH);
  if (off || !Number.isInteger(width) || width <= 0 || !probeSyscallsLoad()) return (shared = null);
  try {
    shared = new SyncWorkers(width, WORKER_SOURCE);
    shared.warm();
  } catch {
    shared = null;
  }
  return shared;
}

function nullIfMissing(err: unknown): null {
  if (isNotFound(err)) return null;
  throw err;
}

async function probeOne({ parent, name, meta: wantMeta, leaf: wantLeaf }: ProbeJob): Promise<Probe> {
  const abs = `${parent}/${name}`;
  const [data, st] = await Promise.all([
    wantMeta ? readFile(`${abs}/${META_FILE}`).catch(nullIfMissing) : null,
    wantLeaf ? lstat(abs, { bigint: true }).catch(nullIfMissing) : undefined,
  ]);
  const meta = data ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  if (st === undefined) return { meta, leaf: undefined };
  // A directory gone meanwhile holds nothing either.
  if (st === null || st.nlink === 2n) return { meta, leaf: true };
  return { meta, leaf: false, stat: st };
}

/** Directories probed so far by this process (tests check how far walks read ahead). */
export const probeCount = { dirs: 0 };

/** The batch on Bun's async fs: where no workers run, and what the workers must match. */
export function probeAsync(jobs: readonly ProbeJob[]): Promise<Probe[]> {
  return Promise.all(jobs.map(probeOne));
}

/**
 * Probes `jobs` (all under the drive root `root`) in one worker job, or on async fs where no
 * workers run. Rejects with the first fs error other than ENOENT.
 */
export function probeBatch(root: string, jobs: readonly ProbeJob[]): Promise<Probe[]> {
  probeCount.dirs += jobs.length;
  const p = probePool();
  if (p === null) return probeAsync(jobs);
  p.addLane(root);
  const want = new Uint8Array(jobs.length);
  // One string, not an array of them: Bun clones an array of fresh strings at ~1 µs a string,
  // which made posting a batch cost more than probing it. Paths hold no NUL. Each parent is
  // named once (a batch is usually one directory's entries): a fifth of the bytes to clone.
  const tokens: string[] = [];
  let parent: string | undefined;
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i]!;
    // The worker tells a parent from an entry by its leading "/".
    if (j.parent !== parent) tokens.push(resolve((parent = j.parent)));
    tokens.push(j.name);
    want[i] = (j.meta ? 1 : 0) | (j.leaf ? 2 : 0);
  }
  const job = { op: "probe", path: jobs[0]?.parent ?? root, dirs: tokens.join("\0"), want };
  return p.ask<Answer>(job).then(toProbes);
}
