/**
 * Runs one load in a child process, with the fetch generator, wrk or the raw-socket generator.
 * GET and HEAD go to the fastest generator measured on the HTTP ceiling that can run them (raw:
 * up to 64 KiB; wrk: whole-object GETs of any size, not HEAD); everything else goes to fetch.
 */
import { join } from "node:path";
import { track } from "./procs";
import { rawCanRun } from "./rawgen";
import type { LoadResult, LoadSpec } from "./types";
import { runWrk, wrkAvailable, wrkCanRun } from "./wrk";

export type GeneratorChoice = "fetch" | "wrk" | "raw";

/** Generators to try, fastest first; fetch runs anything, so it ends every ranking. */
export type GeneratorRanking = readonly GeneratorChoice[];

const LOADGEN = join(import.meta.dir, "loadgen.ts");
const RAWGEN = join(import.meta.dir, "rawgen.ts");

async function runChild(script: string, spec: LoadSpec): Promise<LoadResult> {
  const proc = track(Bun.spawn([process.execPath, script, JSON.stringify(spec)], { stdout: "pipe", stderr: "pipe" }));
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  const line = out.trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{")) throw new Error(`load generator failed (exit ${code}): ${err.slice(-500)}`);
  return JSON.parse(line) as LoadResult;
}

export const runFetch = (spec: LoadSpec): Promise<LoadResult> => runChild(LOADGEN, spec);

function canRun(g: GeneratorChoice, spec: LoadSpec): boolean {
  if (g === "wrk") return wrkAvailable() && wrkCanRun(spec);
  if (g === "raw") return rawCanRun(spec);
  return true;
}

/** The first generator of `ranking` that can run `spec` (fetch when none can). */
export function pickGenerator(spec: LoadSpec, ranking: GeneratorRanking): GeneratorChoice {
  return ranking.find((g) => canRun(g, spec)) ?? "fetch";
}

export function runLoad(spec: LoadSpec, ranking: GeneratorRanking): Promise<LoadResult> {
  const g = pickGenerator(spec, ranking);
  if (g === "wrk") return runWrk(spec, navigator.hardwareConcurrency);
  if (g === "raw") return runChild(RAWGEN, spec);
  return runFetch(spec);
}

export interface GeneratorComparison {
  fetchOps: number;
  wrkOps: number | null;
  rawOps: number | null;
  ranking: GeneratorChoice[];
}

async function opsPerSec(run: Promise<LoadResult>): Promise<number | null> {
  try {
    const r = await run;
    return r.errors > 0 ? null : r.ops / (r.elapsedMs / 1000);
  } catch {
    return null;
  }
}

/** Drives the same small GET at the HTTP ceiling with each generator; ranks them by speed. */
export async function compareGenerators(spec: LoadSpec): Promise<GeneratorComparison> {
  const fetchOps = (await opsPerSec(runFetch(spec))) ?? 0;
  const wrkOps = canRun("wrk", spec) ? await opsPerSec(runWrk(spec, navigator.hardwareConcurrency)) : null;
  const rawOps = canRun("raw", spec) ? await opsPerSec(runChild(RAWGEN, spec)) : null;
  const measured: [GeneratorChoice, number | null][] = [["wrk", wrkOps], ["raw", rawOps]];
  const faster = measured.filter((m): m is [GeneratorChoice, number] => m[1] !== null && m[1] > fetchOps);
  return { fetchOps, wrkOps, rawOps, ranking: [...faster.sort((a, b) => b[1] - a[1]).map((m) => m[0]), "fetch"] };
}

/** One line for the report: what was measured and which generator small GETs and HEADs use. */
export function describeGenerators(g: GeneratorComparison): string {
  const n = (x: number | null) => (x === null ? "n/a" : x.toFixed(0));
  return `fetch ${n(g.fetchOps)}, wrk ${n(g.wrkOps)}, raw ${n(g.rawOps)} ops/s → ${g.ranking.join(" > ")}`;
}
