/** Starts the bare Bun.serve ceiling server and drives it with the cells' own load specs. */
import { join } from "node:path";
import type { Cell } from "./cells";
import { runLoad } from "./generator";
import { freePort, measureTree, stopProcess, track } from "./procs";
import { specFor, skippedResult, toCellResult, warmupSpec, type CellResult, type RunContext } from "./runner";
import type { LoadSpec } from "./types";

export interface CeilingServer {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startCeilingServer(root: string, sizes: string[]): Promise<CeilingServer> {
  const port = freePort();
  const proc = track(
    Bun.spawn([process.execPath, join(import.meta.dir, "ceiling-server.ts"), String(port), root, sizes.join(",")], {
      stdout: "pipe",
      stderr: "inherit",
    }),
  );
  const reader = proc.stdout.getReader();
  const first = await reader.read();
  reader.releaseLock();
  if (first.done || !new TextDecoder().decode(first.value).includes("ready")) {
    await stopProcess(proc);
    throw new Error("HTTP ceiling server did not start");
  }
  return { endpoint: `http://127.0.0.1:${port}`, pid: proc.pid, stop: () => stopProcess(proc) };
}

export function ceilingSpec(server: CeilingServer, spec: Omit<LoadSpec, "endpoint" | "accessKey" | "secretKey">): LoadSpec {
  // The ceiling ignores auth; DELETE has nothing to run out of, so only time bounds it.
  return { ...spec, endpoint: server.endpoint, accessKey: "ceiling", secretKey: "ceiling", total: undefined };
}

/** One HTTP-ceiling result per cell (DELETE is skipped: a bare 204 says nothing useful). */
export async function runHttpCeiling(server: CeilingServer, cells: Cell[], ctx: RunContext): Promise<Map<string, CellResult>> {
  const out = new Map<string, CellResult>();
  for (const cell of cells) {
    if (cell.op === "delete") continue;
    let r: CellResult;
    try {
      const spec = ceilingSpec(server, await specFor(cell, ctx));
      const warm = warmupSpec(spec, ctx);
      if (warm) await runLoad(warm, ctx.generators);
      // Measured as the targets are (same /proc polling beside the load), so ratios compare like with like.
      const m = await measureTree(server.pid, () => runLoad(spec, ctx.generators));
      r = { ...toCellResult("http-ceiling", cell, m.value), serverCpuSec: m.cpuSec, peakRssMb: m.peakPssMb };
    } catch (err) {
      r = skippedResult("http-ceiling", cell, err instanceof Error ? err.message : String(err));
    }
    ctx.log(`  http-ceiling ${cell.id}: ${r.skipped ? `skipped (${r.skipped})` : `${r.opsPerSec.toFixed(0)} ops/s, ${r.mbPerSec.toFixed(1)} MB/s`}`);
    out.set(cell.id, r);
  }
  return out;
}
