#!/usr/bin/env bun
/**
 * Issue #7's benchmark: Cairn on fresh temp drives (1, 4 and 8 drives), optionally s3rver beside
 * it or any S3 endpoint instead, with HTTP, disk, listing and CPU ceilings measured in the same run.
 * `npm run bench -- --help` for the options.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { cell, defaultIds, fullMatrix, orderCells, selectCells, type Cell } from "./bench/cells";
import { measureCpu } from "./bench/cpu";
import { measureDisk } from "./bench/disk";
import { measureListCeiling } from "./bench/list-ceiling";
import { compareGenerators, describeGenerators, type GeneratorChoice, type GeneratorComparison } from "./bench/generator";
import { ceilingSpec, runHttpCeiling, startCeilingServer } from "./bench/http-ceiling";
import { addRatios, ceilingKey, checks, formatCeilings, formatChecks, formatRun, peerRun, type Ceilings, type TargetRun } from "./bench/report";
import { killTracked } from "./bench/procs";
import { specFor, TargetRunner, type RunContext } from "./bench/runner";
import { sizeLabel } from "./bench/sizes";
import { defaultParity, externalTarget, startCairn, startS3rver, type Target } from "./bench/targets";

const USAGE = `usage: bun scripts/bench.ts [options]
  --layouts 1,4,8        Cairn drive counts to start (default 1,4,8; EC parity 0, 2, 4)
  --cells GLOBS          cells to run, e.g. 'put:4k:32,get:64m:*,list' (op:size:concurrency;
                         ops put get getr head delete mpu list dget; list sizes flat|nested)
  --seconds N            time per cell (default 3)
  --warmup N             unmeasured load before each cell of objects up to 1 MiB, so the
                         server's JIT has compiled the path (default 4; 0 = none)
  --binary               run dist/cairn instead of 'bun src/main.ts'
  --target URL           benchmark this S3 endpoint instead of starting Cairn
  --access-key K --secret-key S   credentials (default minioadmin/minioadmin)
  --peer s3rver          also start the s3rver mock and run its cells in the same run
  --generator auto|fetch|wrk|raw  GET/HEAD load generator (auto: measure each on GET 4 KiB,
                         then the fastest that can run the cell: wrk any whole-object GET,
                         raw GET/HEAD up to 64 KiB, fetch anything)
  --list-keys N          keys prefilled for LIST (default 100000)
  --prefill-seconds N    stop the LIST prefill after N s on a slow target (default 120)
  --no-ceilings          skip the HTTP/disk/listing/CPU ceilings
  --json FILE            write every number as JSON
  --dir DIR              where temp drives go (default the OS temp dir; must not be tmpfs)
  --keep                 keep the temp directory
  --list                 print the cell ids this run would execute and exit
`;

interface Options {
  layouts: number[];
  cells?: string;
  seconds: number;
  warmup: number;
  binary: boolean;
  target?: string;
  accessKey: string;
  secretKey: string;
  peer?: "s3rver";
  generator: "auto" | GeneratorChoice;
  listKeys: number;
  prefillSeconds: number;
  ceilings: boolean;
  json?: string;
  dir: string;
  keep: boolean;
  list: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      layouts: { type: "string" },
      cells: { type: "string" },
      seconds: { type: "string", default: "3" },
      warmup: { type: "string", default: "4" },
      binary: { type: "boolean", default: false },
      target: { type: "string" },
      "access-key": { type: "string", default: "minioadmin" },
      "secret-key": { type: "string", default: "minioadmin" },
      peer: { type: "string" },
      generator: { type: "string", default: "auto" },
      "list-keys": { type: "string", default: "100000" },
      "prefill-seconds": { type: "string", default: "120" },
      "no-ceilings": { type: "boolean", default: false },
      json: { type: "string" },
      dir: { type: "string", default: tmpdir() },
      keep: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (v.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (v.peer !== undefined && v.peer !== "s3rver") throw new Error(`--peer: only 's3rver' is known, not '${v.peer}'`);
  if (!["auto", "fetch", "wrk", "raw"].includes(v.generator)) throw new Error(`--generator: auto, fetch, wrk or raw`);
  const layouts = (v.layouts ?? (v.target ? "" : "1,4,8")).split(",").filter(Boolean).map(Number);
  if (layouts.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) throw new Error(`--layouts: drive counts 1…16`);
  if (!(Number(v.warmup) >= 0)) throw new Error(`--warmup: seconds, 0 or more`);
  return {
    layouts,
    cells: v.cells,
    seconds: Number(v.seconds),
    warmup: Number(v.warmup),
    binary: v.binary,
    target: v.target,
    accessKey: v["access-key"],
    secretKey: v["secret-key"],
    peer: v.peer as "s3rver" | undefined,
    generator: v.generator as Options["generator"],
    listKeys: Number(v["list-keys"]),
    prefillSeconds: Number(v["prefill-seconds"]),
    ceilings: !v["no-ceilings"],
    json: v.json,
    dir: resolve(v.dir),
    keep: v.keep,
    list: v.list,
  };
}

interface Plan {
  kind: "cairn" | "s3rver" | "external";
  drives: number;
  cells: Cell[];
}

function plans(o: Options): Plan[] {
  const main = o.layouts.includes(4) ? 4 : o.layouts[0];
  const pick = (kind: Parameters<typeof defaultIds>[0], drives = 0) => {
    if (o.cells) return orderCells(selectCells(fullMatrix(), o.cells));
    // A single drive has nothing to lose and rebuild from: no degraded cell by default.
    return orderCells(defaultIds(kind).filter((id) => drives !== 1 || !id.startsWith("dget:")).map(cell));
  };
  const out: Plan[] = o.layouts.map((n) => ({ kind: "cairn" as const, drives: n, cells: pick(n === main ? "cairn-main" : "cairn-other", n) }));
  if (o.target) out.push({ kind: "external", drives: 0, cells: pick("external") });
  if (o.peer) out.push({ kind: "s3rver", drives: 0, cells: pick("peer") });
  return out;
}

async function startTarget(p: Plan, o: Options, root: string): Promise<Target> {
  const repo = resolve(import.meta.dir, "..");
  if (p.kind === "s3rver") return startS3rver({ repo, root });
  if (p.kind === "external") return externalTarget({ endpoint: o.target!, accessKey: o.accessKey, secretKey: o.secretKey });
  if (o.binary && !existsSync(join(repo, "dist/cairn"))) throw new Error("--binary: dist/cairn not found (npm run build)");
  return startCairn({ repo, root, drives: p.drives, binary: o.binary, accessKey: o.accessKey, secretKey: o.secretKey });
}

async function runPlan(p: Plan, o: Options, ctx: RunContext): Promise<TargetRun> {
  const run: TargetRun = { name: p.kind === "cairn" ? `cairn-${p.drives}` : p.kind, kind: p.kind, drives: p.drives, cells: [] };
  let t: Target | undefined;
  try {
    t = await startTarget(p, o, ctx.root);
    Object.assign(run, { name: t.name, ec: t.ec, startupMs: t.startupMs, idleRssMb: t.idleRssMb, processes: t.processes });
    ctx.log(`${t.name}: up in ${t.startupMs?.toFixed(0) ?? "?"} ms, ${p.cells.length} cells`);
    const runner = new TargetRunner(t, ctx);
    await runner.createBucket();
    run.cells = await runner.run(p.cells);
  } catch (err) {
    run.error = err instanceof Error ? err.message : String(err);
    ctx.log(`${run.name}: ${run.error}`);
  } finally {
    await t?.stop();
  }
  return run;
}

/** HTTP ceiling cells: every distinct cell of the run, with degraded GET folded into GET. */
function ceilingCells(all: Plan[]): Cell[] {
  const ids = new Set(all.flatMap((p) => p.cells.map((c) => ceilingKey(c.id))));
  return orderCells([...ids].map(cell));
}

async function measureCeilings(all: Plan[], o: Options, ctx: RunContext): Promise<{ ceilings: Ceilings; gen?: GeneratorComparison }> {
  const ceilings: Ceilings = { http: new Map(), disk: new Map() };
  if (!o.ceilings) return { ceilings };
  ctx.log("ceilings: CPU");
  ceilings.cpu = await measureCpu(resolve(import.meta.dir, ".."));
  for (const p of all.filter((x) => x.kind === "cairn")) {
    ctx.log(`ceilings: disk, ${p.drives} drive dir(s)`);
    ceilings.disk.set(p.drives, await measureDisk(ctx.root, { drives: p.drives, seconds: Math.min(3, ctx.seconds) }));
    if (p.cells.some((c) => c.op === "list")) {
      ctx.log(`ceilings: listing, ${p.drives} drive dir(s)`);
      (ceilings.list ??= new Map()).set(p.drives, await measureListCeiling(ctx.root, { drives: p.drives, parity: defaultParity(p.drives), seconds: Math.min(2, ctx.seconds) }));
    }
  }
  const cells = ceilingCells(all);
  const sizes = [...new Set(cells.filter((c) => c.size > 0).map((c) => sizeLabel(c.size)))];
  const server = await startCeilingServer(ctx.root, sizes);
  try {
    let gen: GeneratorComparison | undefined;
    if (o.generator === "auto") {
      const spec = ceilingSpec(server, await specFor(cell("get:4k:32"), { ...ctx, seconds: Math.max(1, Math.min(2, Math.round(ctx.seconds))) }));
      gen = await compareGenerators(spec);
      ctx.generators = gen.ranking;
      ctx.log(`generator: ${describeGenerators(gen)} for GET/HEAD`);
    }
    ceilings.http = await runHttpCeiling(server, cells, ctx);
    return { ceilings, gen };
  } finally {
    await server.stop();
  }
}

function toJson(o: Options, runs: TargetRun[], c: Ceilings, gen: GeneratorComparison | undefined, ctx: RunContext) {
  return {
    version: 1,
    date: new Date().toISOString(),
    host: { cores: navigator.hardwareConcurrency, cpu: cpus()[0]?.model ?? "", kernel: release(), bun: Bun.version },
    options: { ...o, dir: undefined },
    generator: gen ?? { ranking: ctx.generators },
    ceilings: { cpu: c.cpu ?? null, disk: [...c.disk.values()], list: [...(c.list?.values() ?? [])], http: [...c.http.values()] },
    targets: runs,
    checks: checks(runs, c),
  };
}

async function main(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  const all = plans(o);
  if (o.list) {
    for (const p of all) process.stdout.write(`${p.kind}${p.drives ? `-${p.drives}` : ""}: ${p.cells.map((c) => c.id).join(" ")}\n`);
    return 0;
  }
  mkdirSync(o.dir, { recursive: true });
  const fsType = Bun.spawnSync(["stat", "-f", "-c", "%T", o.dir]).stdout.toString().trim();
  if (fsType === "tmpfs" || fsType === "ramfs") process.stderr.write(`bench: warning: ${o.dir} is ${fsType}: fsync costs nothing there, disk numbers mean little (use --dir)\n`);
  const started = performance.now();
  const root = mkdtempSync(join(o.dir, "cairn-bench-"));
  const log = (m: string) => process.stderr.write(`${m}\n`);
  // Ctrl-C must not leave servers listening or gigabytes of temp drives behind.
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      killTracked();
      if (!o.keep) rmSync(root, { recursive: true, force: true });
      process.exit(130);
    });
  }
  const ctx: RunContext = { root, seconds: o.seconds, warmupSeconds: o.warmup, listKeys: o.listKeys, prefillSeconds: o.prefillSeconds, generators: o.generator === "auto" || o.generator === "fetch" ? ["fetch"] : [o.generator, "fetch"], bucket: "bench", log };
  try {
    const { ceilings, gen } = await measureCeilings(all, o, ctx);
    const runs: TargetRun[] = [];
    for (const p of all) runs.push(await runPlan(p, o, ctx));
    addRatios(runs, ceilings);
    const genLine = gen
      ? `load generators for GET/HEAD, measured on get:4k:32 at the HTTP ceiling: ${describeGenerators(gen)}`
      : `load generators for GET/HEAD: ${ctx.generators.join(" > ")} (${o.generator === "auto" ? "not compared: no HTTP ceiling this run" : "chosen by flag"})`;
    const text = [`${genLine}\n${formatCeilings(ceilings)}`, ...runs.map((r) => formatRun(r, peerRun(runs)?.name)), formatChecks(checks(runs, ceilings))].join("\n\n");
    process.stdout.write(`${text}\n`);
    process.stdout.write("(latencies in ms; srvCPUs/peakPssMB = CPU seconds and peak PSS of the server's whole process tree; gen% = load generator CPU as % of one core, 'w' = wrk, 'r' = raw; ×http/×disk/×peer = this cell ÷ that ceiling or the comparison server)\n");
    const wallSec = (performance.now() - started) / 1000;
    process.stdout.write(`run took ${wallSec.toFixed(0)} s; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${navigator.hardwareConcurrency} cores\n`);
    if (o.json) writeFileSync(o.json, JSON.stringify({ ...toJson(o, runs, ceilings, gen, ctx), wallSec, loadAvg: loadavg() }, null, 2));
    return runs.some((r) => r.error) ? 1 : 0;
  } finally {
    if (o.keep) log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
      process.exit(2);
    },
  );
}
