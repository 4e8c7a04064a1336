/**
 * Runs cells against one target: prepares the objects a cell reads, measures the CPU and peak PSS
 * of the server's process tree around the load, and cleans up large objects when their size group is done.
 */
import { join } from "node:path";
import type { Cell } from "./cells";
import { runFetch, runLoad, type GeneratorRanking } from "./generator";
import { measureTree, type CpuByKind } from "./procs";
import { sizeLabel } from "./sizes";
import { SigV4 } from "./sigv4";
import { removeDrive, type Target } from "./targets";
import type { LoadResult, LoadSpec, Op } from "./types";

export interface CellResult {
  target: string;
  cell: string;
  op: Op;
  size: number;
  concurrency: number;
  ops: number;
  opsPerSec: number;
  mbPerSec: number;
  /** LIST: keys per second; equals opsPerSec for other ops. */
  itemsPerSec: number;
  latencyMs: LoadResult["latencyMs"];
  errors: number;
  errorSamples: string[];
  /** CPU seconds of the server's whole process tree during the cell. */
  serverCpuSec: number | null;
  /** Peak PSS in MB summed over the server's process tree (the name predates the tree). */
  peakRssMb: number | null;
  /** serverCpuSec by kind of thread (event loops, workers, JIT, GC, …; procs.ts). */
  cpuByThread?: CpuByKind;
  /** Generator CPU seconds per wall second (1.0 = one full core). */
  genCpuShare: number;
  generator: LoadResult["generator"];
  ratios: { http?: number; disk?: number; peer?: number };
  /** LIST: how many keys the walked namespace holds. */
  namespaceKeys?: number;
  note?: string;
  skipped?: string;
}

export interface RunContext {
  root: string;
  seconds: number;
  /** Unmeasured load before each cell of objects up to 1 MiB (see warmupSpec). */
  warmupSeconds: number;
  listKeys: number;
  /** Time cap for the LIST prefill. */
  prefillSeconds: number;
  /** Load generators for GET/HEAD, fastest first (see generator.ts). */
  generators: GeneratorRanking;
  bucket: string;
  log: (msg: string) => void;
}

const MiB = 1 << 20;
const LARGE = 64 * MiB;

/** Large PUT bodies live in one random file per size, shared by every target of the run. */
export async function bodyFile(root: string, size: number): Promise<string> {
  const path = join(root, `body-${sizeLabel(size)}`);
  if (await Bun.file(path).exists()) return path;
  const writer = Bun.file(path).writer();
  const chunk = new Uint8Array(MiB);
  for (let off = 0; off < size; off += MiB) {
    crypto.getRandomValues(chunk.subarray(0, 65536));
    writer.write(chunk.subarray(0, Math.min(MiB, size - off)));
  }
  await writer.end();
  return path;
}

/** How many distinct objects a read cell cycles over. */
export function readKeyCount(size: number, concurrency: number): number {
  if (size <= 64 * 1024) return 100;
  if (size <= MiB) return 32;
  return Math.max(1, Math.min(concurrency, Math.floor((512 * MiB) / size)));
}

/** The load spec of a cell, minus endpoint and credentials; the same for a target and the ceiling. */
export async function specFor(cell: Cell, ctx: RunContext): Promise<Omit<LoadSpec, "endpoint" | "accessKey" | "secretKey">> {
  const label = sizeLabel(cell.size);
  const body = cell.size >= MiB ? { bodyFile: await bodyFile(ctx.root, cell.size) } : {};
  // Reads carry the body file too: their objects are prefilled from the same spec.
  const base = { bucket: ctx.bucket, size: cell.size, concurrency: cell.concurrency, seconds: ctx.seconds, keyCount: 0, ...body };
  const reads = { keyPrefix: `obj/${label}/`, keyCount: readKeyCount(cell.size, cell.concurrency) };
  switch (cell.op) {
    case "put":
      return { ...base, op: "put", keyPrefix: `put/${label}/c${cell.concurrency}/` };
    case "mpu":
      return { ...base, op: "mpu", keyPrefix: `mpu/${label}/c${cell.concurrency}/`, partSize: 16 * MiB };
    case "get":
    case "dget":
    case "head":
      return { ...base, ...reads, op: cell.op === "head" ? "head" : "get" };
    case "getr": {
      const start = Math.floor(cell.size / 3);
      const length = Math.min(cell.size - start, Math.max(4096, Math.min(4 * MiB, cell.size / 16)));
      return { ...base, ...reads, op: "getr", range: { start, length } };
    }
    case "delete":
      return { ...base, op: "delete", keyPrefix: `put/${label}/c${cell.concurrency}/` };
    case "list": {
      const prefix = `list-${cell.list ?? "flat"}/`;
      return { ...base, op: "list", keyPrefix: prefix, keyStyle: cell.list, list: { prefix, maxKeys: 1000 } };
    }
  }
}

/** Keys of the namespace a LIST cell warms up on. */
export const LIST_WARM_KEYS = 20_000;

/**
 * The same load, unmeasured, before a cell of objects up to 1 MiB. Their rate is bound by
 * per-request CPU, and a fresh server spends its first seconds of a new request path
 * JIT-compiling it (GET 4 KiB: 4.8k ops/s in its first 2 s, 7.1–7.5k from the 4th on, while the
 * JIT thread took 0.45 of a core). Hence 4 s by default: after 2 s the JIT threads still took
 * 0.71 and 0.84 of the server's ~3.6 CPU seconds in a 4 s GET 4 KiB cell, after 4 s 0.20 and
 * 0.25 (HEAD: 0.18 and 0.25 against 0.04 twice; the bench's CPU split by thread, 2026-11-27).
 * Every target and the HTTP ceiling get the same warm-up.
 * PUTs warm up on their own prefix, so the measured cell's keys are what it wrote itself.
 * LIST warms up on a namespace of its own (LIST_WARM_KEYS, same key style): the measured
 * namespace's first walk stays cold (no listing cache), but the listing code is compiled, as
 * it is on any server that has listed before (flat LIST right after its PUT prefill: 6.4k
 * keys/s unwarmed, with the JIT thread at a quarter of a core; 10.4k warmed; 2026-11-26).
 * A lister stops after one pass, so the warm-up walks its namespace once: with 5,000 keys the
 * JIT threads still took 1.00 of the cell's 6.55 server CPU seconds, with 20,000 0.45 of 6.19
 * (2026-11-27; +15,000 empty PUTs of prefill per target).
 * DELETE and multipart change or consume what they measure: no warm-up.
 */
export function warmupSpec<S extends Omit<LoadSpec, "endpoint" | "accessKey" | "secretKey">>(spec: S, ctx: RunContext): S | null {
  if (ctx.warmupSeconds <= 0 || spec.size > MiB) return null;
  switch (spec.op) {
    case "get":
    case "getr":
    case "head":
      return { ...spec, seconds: ctx.warmupSeconds };
    case "put":
      return { ...spec, seconds: ctx.warmupSeconds, keyPrefix: `warm/${spec.keyPrefix}` };
    case "list": {
      const keyPrefix = `warm/${spec.keyPrefix}`;
      return { ...spec, seconds: ctx.warmupSeconds, keyPrefix, list: spec.list && { ...spec.list, prefix: keyPrefix } };
    }
    default:
      return null;
  }
}

export function toCellResult(target: string, cell: Cell, r: LoadResult): CellResult {
  const secs = r.elapsedMs / 1000;
  return {
    target,
    cell: cell.id,
    op: cell.op,
    size: cell.size,
    concurrency: cell.concurrency,
    ops: r.ops,
    opsPerSec: r.ops / secs,
    mbPerSec: r.bytes / secs / 1e6,
    itemsPerSec: r.items / secs,
    latencyMs: r.latencyMs,
    errors: r.errors,
    errorSamples: r.errorSamples,
    serverCpuSec: null,
    peakRssMb: null,
    genCpuShare: r.genCpuSec / secs,
    generator: r.generator,
    ratios: {},
  };
}

export function skippedResult(target: string, cell: Cell, why: string): CellResult {
  const nan = { p50: NaN, p99: NaN, p999: NaN, mean: NaN };
  return {
    ...toCellResult(target, cell, { ops: 0, errors: 0, bytes: 0, items: 0, elapsedMs: 1, latencyMs: nan, genCpuSec: 0, generator: "fetch", errorSamples: [] }),
    genCpuShare: NaN,
    skipped: why,
  };
}

export class TargetRunner {
  /** Key prefixes this target holds, with how many keys (n = 0 … count-1) each has. */
  private readonly written = new Map<string, { count: number; style?: "flat" | "nested"; size: number; capped?: boolean }>();

  constructor(private readonly t: Target, private readonly ctx: RunContext) {}

  private full(spec: Omit<LoadSpec, "endpoint" | "accessKey" | "secretKey">): LoadSpec {
    return { ...spec, endpoint: this.t.endpoint, accessKey: this.t.accessKey, secretKey: this.t.secretKey };
  }

  async createBucket(): Promise<void> {
    const url = new URL(`${this.t.endpoint}/${this.ctx.bucket}`);
    const signer = new SigV4({ accessKey: this.t.accessKey, secretKey: this.t.secretKey });
    const res = await fetch(url, { method: "PUT", headers: signer.headers("PUT", url, new Date()) });
    const text = await res.text();
    if (res.status !== 200 && !text.includes("BucketAlreadyOwnedByYou")) {
      throw new Error(`${this.t.name}: create bucket ${this.ctx.bucket}: HTTP ${res.status} ${text.slice(0, 200)}`);
    }
  }

  /**
   * Count-bound PUTs of keys [have, want) under a prefix (prefill, read objects, list namespace),
   * optionally also time-bound (a slow target would otherwise spend an hour on 100k keys).
   * Returns how many keys the prefix now holds.
   */
  private async fill(spec: LoadSpec, want: number, maxSeconds?: number): Promise<number> {
    const prior = this.written.get(spec.keyPrefix);
    const have = prior?.count ?? 0;
    // A prefill that hit its time cap is not topped up by the next cell: every LIST cell of a
    // namespace then walks the same number of keys.
    if (have >= want || prior?.capped) return have;
    const conc = spec.size >= LARGE ? 4 : spec.size >= MiB ? 16 : 64;
    const put: LoadSpec = { ...spec, op: "put", keyStart: have, total: want - have, concurrency: conc, seconds: maxSeconds, range: undefined, list: undefined };
    const t0 = performance.now();
    const r = await runFetch(put);
    if (r.errors > 0) throw new Error(`prefill of ${spec.keyPrefix} had ${r.errors} errors: ${r.errorSamples.join("; ")}`);
    const count = have + r.ops;
    this.written.set(spec.keyPrefix, { count, style: spec.keyStyle, size: spec.size, capped: count < want });
    if (r.ops >= 1000) this.ctx.log(`  prefilled ${r.ops} keys under ${spec.keyPrefix} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return count;
  }

  /** Deletes every key written under prefixes holding objects of `size`, freeing the disk. */
  private async dropSize(size: number): Promise<void> {
    for (const [prefix, w] of [...this.written]) {
      if (w.size !== size || w.count === 0) continue;
      const spec = this.full({ bucket: this.ctx.bucket, op: "delete", keyPrefix: prefix, keyStyle: w.style, keyCount: 0, size, concurrency: 8, total: w.count });
      await runFetch(spec);
      this.written.delete(prefix);
    }
  }

  private async warmUp(spec: LoadSpec): Promise<void> {
    const warm = warmupSpec(spec, this.ctx);
    if (!warm) return;
    const r = await runLoad(warm, this.ctx.generators);
    if (warm.op === "put") this.written.set(warm.keyPrefix, { count: r.ops + r.errors, size: warm.size });
  }

  private async measure(cell: Cell, spec: LoadSpec): Promise<CellResult> {
    await this.warmUp(spec);
    const pid = this.t.pid;
    const load = () => runLoad(spec, this.ctx.generators);
    if (pid === undefined) return toCellResult(this.t.name, cell, await load());
    const m = await measureTree(pid, load);
    return { ...toCellResult(this.t.name, cell, m.value), serverCpuSec: m.cpuSec, peakRssMb: m.peakPssMb, cpuByThread: m.cpuByThread };
  }

  private async runCell(cell: Cell): Promise<CellResult> {
    const spec = this.full(await specFor(cell, this.ctx));
    switch (cell.op) {
      case "put":
      case "mpu": {
        const r = await this.measure(cell, spec);
        this.written.set(spec.keyPrefix, { count: r.ops + r.errors, size: cell.size });
        return r;
      }
      case "delete":
        return this.runDelete(cell, spec);
      case "list": {
        const keys = await this.fill({ ...spec, size: 0 }, this.ctx.listKeys, this.ctx.prefillSeconds);
        const warm = warmupSpec(spec, this.ctx);
        if (warm) await this.fill({ ...warm, size: 0 }, Math.min(LIST_WARM_KEYS, this.ctx.listKeys), this.ctx.prefillSeconds);
        const r = await this.measure(cell, spec);
        r.namespaceKeys = keys;
        if (keys < this.ctx.listKeys) r.note = `namespace has ${keys} of ${this.ctx.listKeys} keys: prefill stopped after ${this.ctx.prefillSeconds} s`;
        return r;
      }
      case "dget":
        return this.runDegraded(cell, spec);
      default:
        await this.fill({ ...spec, keyCount: 0 }, spec.keyCount);
        return this.measure(cell, spec);
    }
  }

  /** DELETE removes what the PUT cell of the same size and concurrency wrote, or its own prefill. */
  private async runDelete(cell: Cell, spec: LoadSpec): Promise<CellResult> {
    let prefix = spec.keyPrefix;
    if ((this.written.get(prefix)?.count ?? 0) === 0) {
      prefix = `del/${sizeLabel(cell.size)}/c${cell.concurrency}/`;
      const want = cell.size <= 64 * 1024 ? 5000 : Math.max(8, Math.floor((2 * 1024 * MiB) / cell.size));
      await this.fill({ ...spec, keyPrefix: prefix }, want);
    }
    const total = this.written.get(prefix)!.count;
    const r = await this.measure(cell, { ...spec, keyPrefix: prefix, total });
    this.written.delete(prefix);
    return r;
  }

  private async runDegraded(cell: Cell, spec: LoadSpec): Promise<CellResult> {
    if (this.t.kind !== "cairn" || this.t.drives.length < 2) {
      return skippedResult(this.t.name, cell, "needs a Cairn target with 2+ drives");
    }
    await this.fill({ ...spec, keyCount: 0 }, spec.keyCount);
    const restore = removeDrive(this.t);
    try {
      return await this.measure(cell, spec);
    } finally {
      restore();
    }
  }

  async run(cells: Cell[]): Promise<CellResult[]> {
    const out: CellResult[] = [];
    for (const [i, cell] of cells.entries()) {
      let r: CellResult;
      try {
        r = await this.runCell(cell);
      } catch (err) {
        r = skippedResult(this.t.name, cell, err instanceof Error ? err.message : String(err));
      }
      this.ctx.log(`  ${this.t.name} ${cell.id}: ${r.skipped ? `skipped (${r.skipped})` : `${r.opsPerSec.toFixed(0)} ops/s, ${r.mbPerSec.toFixed(1)} MB/s, ${r.errors} errors${r.errorSamples[0] ? ` (${r.errorSamples[0]})` : ""}`}`);
      out.push(r);
      const next = cells[i + 1];
      if (cell.size >= LARGE && next?.size !== cell.size) await this.dropSize(cell.size);
    }
    return out;
  }
}
