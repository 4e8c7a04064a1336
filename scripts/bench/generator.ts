/** Runs one load in a child process, with the fetch generator or wrk. */
import { join } from "node:path";
import { track } from "./procs";
import type { LoadResult, LoadSpec } from "./types";
import { runWrk, wrkAvailable, wrkCanRun } from "./wrk";

export type GeneratorChoice = "fetch" | "wrk";

const LOADGEN = join(import.meta.dir, "loadgen.ts");

export async function runFetch(spec: LoadSpec): Promise<LoadResult> {
  const proc = track(Bun.spawn([process.execPath, LOADGEN, JSON.stringify(spec)], { stdout: "pipe", stderr: "pipe" }));
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
  const line = out.trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{")) throw new Error(`load generator failed (exit ${code}): ${err.slice(-500)}`);
  return JSON.parse(line) as LoadResult;
}

/** Small GET/HEAD go to wrk when it was measured faster; everything else to the fetch generator. */
export function runLoad(spec: LoadSpec, small: GeneratorChoice): Promise<LoadResult> {
  if (small === "wrk" && wrkAvailable() && wrkCanRun(spec)) return runWrk(spec, navigator.hardwareConcurrency);
  return runFetch(spec);
}

export interface GeneratorComparison {
  fetchOps: number;
  wrkOps: number | null;
  chosen: GeneratorChoice;
}

/** Drives the same small GET at the HTTP ceiling with both generators and keeps the faster. */
export async function compareGenerators(spec: LoadSpec): Promise<GeneratorComparison> {
  const f = await runFetch(spec);
  const fetchOps = f.ops / (f.elapsedMs / 1000);
  if (!wrkAvailable() || !wrkCanRun(spec)) return { fetchOps, wrkOps: null, chosen: "fetch" };
  try {
    const w = await runWrk(spec, navigator.hardwareConcurrency);
    const wrkOps = w.ops / (w.elapsedMs / 1000);
    return { fetchOps, wrkOps, chosen: wrkOps > fetchOps ? "wrk" : "fetch" };
  } catch {
    return { fetchOps, wrkOps: null, chosen: "fetch" };
  }
}
