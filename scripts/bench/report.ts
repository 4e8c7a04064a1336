/** Ratios against the ceilings, issue #7's targets, and the terminal table. */
import type { CpuCeiling } from "./cpu";
import type { DiskCeiling } from "./disk";
import type { ListCeiling } from "./list-ceiling";
import type { CellResult } from "./runner";
import { THREAD_KINDS } from "./procs";
import { sizeLabel } from "./sizes";

export interface TargetRun {
  name: string;
  kind: "cairn" | "s3rver" | "external";
  drives: number;
  ec?: { k: number; m: number };
  startupMs?: number;
  idleRssMb?: number;
  processes?: number;
  cells: CellResult[];
  error?: string;
}

export interface Ceilings {
  /** HTTP ceiling per cell id (dget cells use the get cell). */
  http: Map<string, CellResult>;
  disk: Map<number, DiskCeiling>;
  /** The listing's syscall floor per drive count (only where a LIST cell runs on Cairn). */
  list?: Map<number, ListCeiling>;
  cpu?: CpuCeiling;
}

const SMALL = 128 * 1024;

export function ceilingKey(cellId: string): string {
  return cellId.replace(/^dget:/, "get:");
}

function rate(c: CellResult): number {
  return c.op === "list" ? c.itemsPerSec : c.opsPerSec;
}

/**
 * The comparison run: s3rver when it ran, else an external endpoint measured beside Cairn
 * (`--layouts 4 --target URL`), so any S3 server can sit in the ×peer column.
 */
export function peerRun(runs: TargetRun[]): TargetRun | undefined {
  const s3rver = runs.find((r) => r.kind === "s3rver");
  if (s3rver) return s3rver;
  return runs.some((r) => r.kind === "cairn") ? runs.find((r) => r.kind === "external") : undefined;
}

/** Fills each cell's ratios: ×http, ×disk (PUT/MPU on Cairn), ×peer (against peerRun). */
export function addRatios(runs: TargetRun[], ceilings: Ceilings): void {
  const peer = peerRun(runs);
  for (const run of runs) {
    const disk = ceilings.disk.get(run.drives);
    for (const c of run.cells) {
      if (c.skipped) continue;
      const http = ceilings.http.get(ceilingKey(c.cell));
      if (http && !http.skipped && rate(http) > 0) c.ratios.http = rate(c) / rate(http);
      if (disk && run.ec && (c.op === "put" || c.op === "mpu")) {
        const { k, m } = run.ec;
        c.ratios.disk = c.size <= SMALL ? c.opsPerSec / disk.smallOpsPerSec : (c.mbPerSec * 1e6) / ((disk.seqBytesPerSec * k) / (k + m));
      }
      const list = ceilings.list?.get(run.drives);
      if (list && run.kind === "cairn" && c.op === "list") c.ratios.disk = c.itemsPerSec / list.keysPerSec;
      const p = peer && peer !== run ? peer.cells.find((x) => x.cell === c.cell && !x.skipped) : undefined;
      if (p && rate(p) > 0) c.ratios.peer = rate(c) / rate(p);
    }
  }
}

export interface Check {
  target: string;
  measured: string;
  pass: boolean | null;
}

function find(run: TargetRun | undefined, id: string): CellResult | undefined {
  const c = run?.cells.find((x) => x.cell === id);
  return c && !c.skipped && c.ops > 0 ? c : undefined;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function ratioCheck(target: string, ratio: number | undefined, min: number, detail = ""): Check {
  if (ratio === undefined || !Number.isFinite(ratio)) return { target, measured: "n/a (cell or ceiling not run)", pass: null };
  return { target, measured: `${pct(ratio)}${detail}`, pass: ratio >= min };
}

/** Issue #7's targets, judged on the main Cairn run (4 drives when present). */
export function checks(runs: TargetRun[], ceilings: Ceilings): Check[] {
  const main = runs.find((r) => r.kind === "cairn" && r.drives === 4) ?? runs.find((r) => r.kind !== "s3rver");
  const peer = runs.find((r) => r.kind === "s3rver");
  const cpu = ceilings.cpu;
  const out: Check[] = [];
  out.push(ratioCheck("GET 4 KiB c=32 ≥ 20% of HTTP ceiling", find(main, "get:4k:32")?.ratios.http, 0.2));
  out.push(ratioCheck("PUT 4 KiB c=32 ≥ 70% of small-object disk ceiling", find(main, "put:4k:32")?.ratios.disk, 0.7));
  const put64 = find(main, "put:64m:4");
  const disk = main ? ceilings.disk.get(main.drives) : undefined;
  if (put64 && disk && main?.ec && cpu) {
    const { k, m } = main.ec;
    const bound = Math.min((disk.seqBytesPerSec * k) / (k + m), cpu.md5BytesPerSec * cpu.cores);
    out.push(ratioCheck("PUT 64 MiB c=4 ≥ 70% of min(disk seq × k/(k+m), MD5 × cores)", (put64.mbPerSec * 1e6) / bound, 0.7, ` of ${(bound / 1e6).toFixed(0)} MB/s`));
  } else out.push(ratioCheck("PUT 64 MiB c=4 ≥ 70% of min(disk seq × k/(k+m), MD5 × cores)", undefined, 0.7));
  out.push(ratioCheck("GET 64 MiB c=4 ≥ 70% of HTTP ceiling", find(main, "get:64m:4")?.ratios.http, 0.7));
  const healthy = find(main, "get:1m:32");
  const degraded = find(main, "dget:1m:32");
  out.push(ratioCheck("GET 1 MiB c=32 degraded ≥ 50% of healthy", healthy && degraded ? degraded.opsPerSec / healthy.opsPerSec : undefined, 0.5));
  out.push(listCheck(find(main, "list:flat:1"), main ? ceilings.list?.get(main.drives) : undefined));
  out.push(peerCheck(main, peer, "vs s3rver ≥ 10× on GET/HEAD/LIST ≤ 64 KiB", 10, smallRead));
  out.push(peerCheck(main, peer, "vs s3rver, every other cell ≥ 1×", 1, (c) => !smallRead(c)));
  // The issue's memory targets speak of RSS; a multi-process server is judged on its tree's PSS.
  out.push(limitCheck("idle RSS < 100 MB", main?.idleRssMb, 100, "MB (tree PSS)"));
  // Peak memory counts even when the PUTs failed (e.g. aborted on a slow disk): it was reached.
  const big = main?.cells.find((c) => c.cell === "put:256m:8" && !c.skipped);
  const bigErrors = big?.errors ? ` (cell had ${big.errors} errors)` : "";
  out.push(limitCheck("PUT 256 MiB c=8 peak RSS < 400 MB", big?.peakRssMb ?? undefined, 400, `MB (tree PSS)${bigErrors}`));
  out.push(limitCheck("start-up to /minio/health/live < 300 ms", main?.startupMs, 300, "ms"));
  return out;
}

function listCheck(list: CellResult | undefined, ceiling: ListCeiling | undefined): Check {
  const target = "LIST 100k ≥ 20,000 keys/s (flat, c=1)";
  if (!list) return ratioCheck(target, undefined, 0);
  const keys = list.namespaceKeys ?? 0;
  const small = keys < 100_000 ? ` (namespace of only ${keys} keys: not judged)` : "";
  const floor = ceiling ? `, ${pct(list.itemsPerSec / ceiling.keysPerSec)} of the listing ceiling's ${f(ceiling.keysPerSec)} keys/s` : "";
  return { target, measured: `${list.itemsPerSec.toFixed(0)} keys/s${floor}${small}`, pass: small ? null : list.itemsPerSec >= 20_000 };
}

function limitCheck(target: string, v: number | undefined, max: number, unit: string): Check {
  if (v === undefined || !Number.isFinite(v)) return { target, measured: "n/a", pass: null };
  return { target, measured: `${v.toFixed(0)} ${unit}`, pass: v < max };
}

/** The issue asks 10× s3rver on these small reads, and 1× on every other cell. */
function smallRead(c: CellResult): boolean {
  return (c.op === "get" || c.op === "head" || c.op === "list") && c.size <= 64 * 1024;
}

/** The worst ratio to s3rver over the cells `which` picks, against `bar`. */
function peerCheck(main: TargetRun | undefined, peer: TargetRun | undefined, target: string, bar: number, which: (c: CellResult) => boolean): Check {
  const ratios = (main?.cells ?? [])
    .filter(which)
    .map((c) => [c.cell, c.ratios.peer] as const)
    .filter((x): x is readonly [string, number] => x[1] !== undefined);
  if (!peer || ratios.length === 0) return { target, measured: "n/a (run with --peer s3rver)", pass: null };
  const worst = ratios.reduce((a, b) => (b[1] < a[1] ? b : a));
  return { target, measured: `min ${worst[1].toFixed(2)}× (${worst[0]}) over ${ratios.length} cells`, pass: worst[1] >= bar };
}

const f = (x: number | null | undefined, d = 0) => (x === null || x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(d));
const r = (x: number | undefined) => (x === undefined ? "-" : x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}`);

const GEN_MARK = { fetch: "", wrk: "w", raw: "r" } as const;

/** Columns every cell table shares; srvCPUs and peakPssMB cover the server's whole process tree. */
const HEADER = ["cell", "ops/s", "MB/s", "p50ms", "p99ms", "p99.9ms", "err", "srvCPUs", "peakPssMB", "gen%"];

function row(c: CellResult): string[] {
  if (c.skipped) return [c.cell, `skipped: ${c.skipped}`.slice(0, 90)];
  const mb = c.op === "list" ? `${f(c.itemsPerSec / 1000, 1)}k keys/s` : f(c.mbPerSec, 1);
  const lat = c.latencyMs;
  const gen = `${f(c.genCpuShare * 100)}%${GEN_MARK[c.generator]}`;
  return [c.cell, f(c.opsPerSec, c.opsPerSec < 10 ? 2 : 0), mb, f(lat.p50, 2), f(lat.p99, 2), f(lat.p999, 2), String(c.errors), f(c.serverCpuSec, 1), f(c.peakRssMb), gen, r(c.ratios.http), r(c.ratios.disk), r(c.ratios.peer)];
}

export function table(rows: string[][], header: string[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((x) => (x.length === 2 && i === 1 ? 0 : (x[i] ?? "").length))));
  const line = (cols: string[]) =>
    cols.length === 2 && header.length > 2 ? `${cols[0]!.padEnd(widths[0]!)}  ${cols[1]}` : cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

export function formatRun(run: TargetRun, peerName = "peer"): string {
  const procs = (run.processes ?? 1) > 1 ? `, ${run.processes} processes` : "";
  const head = `== ${run.name}${run.ec ? ` (EC ${run.ec.k}+${run.ec.m}${procs})` : ""}  start-up ${f(run.startupMs)} ms, idle ${f(run.idleRssMb)} MB (PSS of the server's process tree)`;
  if (run.error) return `${head}\n  failed: ${run.error}`;
  const header = [...HEADER, "×http", "×disk", `×${peerName}`];
  const notes = run.cells.filter((c) => c.note).map((c) => `  note ${c.cell}: ${c.note}`);
  return [head, table(run.cells.map(row), header), ...notes, ...cpuSplitLines(run.cells)].join("\n");
}

/**
 * Per cell, the server's CPU seconds by kind of thread, and how busy the event loop was (its
 * CPU over the cell's wall time: near 100%, the single JS thread was what bound the cell; a
 * server of several processes has one loop each, so up to 100% per process).
 */
function cpuSplitLines(cells: CellResult[]): string[] {
  const withSplit = cells.filter((c) => c.cpuByThread && !c.skipped);
  if (withSplit.length === 0) return [];
  const lines = ["  server CPU s by thread (main = event loop, busy = main ÷ wall time of the cell):"];
  for (const c of withSplit) {
    const t = c.cpuByThread!;
    const wall = c.ops / c.opsPerSec;
    const busy = Number.isFinite(wall) && wall > 0 ? `${f((100 * t.main) / wall)}%` : "n/a";
    const kinds = THREAD_KINDS.map((k) => `${k} ${t[k].toFixed(2)}`).join(", ");
    lines.push(`  ${c.cell}: busy ${busy}; ${kinds}`);
  }
  return lines;
}

/** Both sequential figures, the faster being the ceiling. */
function seqWays(d: DiskCeiling): string {
  const direct = d.seqDirectBytesPerSec === null ? "refused here" : `${f(d.seqDirectBytesPerSec / 1e6)} MB/s`;
  return `buffered ${f(d.seqBufferedBytesPerSec / 1e6)} MB/s, O_DIRECT ${direct}`;
}

export function formatCeilings(c: Ceilings): string {
  const lines = ["== ceilings"];
  if (!c.cpu && c.disk.size === 0 && c.http.size === 0) return "== ceilings: not measured (--no-ceilings)";
  const cpu = c.cpu;
  if (cpu) {
    const g = (x: number | null) => (x === null ? "n/a" : `${(x / 1e9).toFixed(2)} GB/s`);
    lines.push(`CPU per core (${cpu.cores} cores): MD5 ${g(cpu.md5BytesPerSec)}, xxHash3 ${g(cpu.xxh3BytesPerSec)}, EC 4+2 encode ${g(cpu.ecEncodeBytesPerSec)} (${cpu.ecNote})`);
  }
  for (const d of c.disk.values()) {
    lines.push(`disk, ${d.drives} drive dir(s): ${f(d.smallOpsPerSec)} small objects/s (${sizeLabel(d.smallSize)} create+write+fsync+rename on each, ${d.committers} committers), sequential ${f(d.seqBytesPerSec / 1e6)} MB/s aggregate (${seqWays(d)})`);
  }
  for (const l of c.list?.values() ?? []) {
    lines.push(`listing, ${l.drives} drive dir(s): ${f(l.keysPerSec)} keys/s (statx + open + read + close of each key's xl.meta on the ${l.walked} drive(s) a listing reads, ${l.threads} threads, ${f(l.keys)} keys)`);
  }
  if (c.http.size) {
    const rows = [...c.http.values()].map(row).map((x) => x.slice(0, HEADER.length));
    lines.push("HTTP ceiling (bare Bun.serve, same generator):");
    lines.push(table(rows, HEADER));
  }
  return lines.join("\n");
}

export function formatChecks(list: Check[]): string {
  const mark = (p: boolean | null) => (p === null ? "–" : p ? "✓" : "✗");
  return ["== issue #7 targets", ...list.map((c) => `${mark(c.pass)} ${c.target}: ${c.measured}`)].join("\n");
}
