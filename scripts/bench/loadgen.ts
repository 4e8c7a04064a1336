/**
 * The fetch load generator. Run as its own process (`bun scripts/bench/loadgen.ts '<LoadSpec JSON>'`)
 * so its CPU is counted apart from the orchestrator's; prints one LoadResult as JSON on stdout.
 */
import { makeOp } from "./ops";
import { SigV4 } from "./sigv4";
import { LatencyLog } from "./stats";
import type { LoadResult, LoadSpec } from "./types";

/** In-flight ops may finish after the deadline, but not forever: big objects on a slow target. */
const GRACE_MS = 120_000;

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function fillBody(size: number, fromFile: boolean): Uint8Array {
  if (fromFile) return new Uint8Array(0);
  const body = new Uint8Array(size);
  // Random, so a compressing or deduplicating target gains nothing.
  for (let off = 0; off < size; off += 65536) crypto.getRandomValues(body.subarray(off, Math.min(size, off + 65536)));
  return body;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const signer = new SigV4({ accessKey: spec.accessKey, secretKey: spec.secretKey });
  const body = fillBody(spec.op === "put" || spec.op === "mpu" ? spec.size : 0, spec.bodyFile !== undefined);
  const abort = new AbortController();
  const lat = new LatencyLog();
  const errorSamples = new Set<string>();
  let next = spec.keyStart ?? 0;
  const last = spec.total !== undefined ? next + spec.total : Infinity;
  let errors = 0;
  let bytes = 0;
  let items = 0;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const deadline = spec.seconds !== undefined ? t0 + spec.seconds * 1000 : Infinity;
  const cap = setTimeout(() => abort.abort(), (spec.seconds ?? 3600) * 1000 + GRACE_MS);

  async function worker(): Promise<void> {
    const op = makeOp(spec, signer, body);
    while (performance.now() < deadline && next < last && !abort.signal.aborted) {
      const n = next++;
      const start = performance.now();
      try {
        const out = await op(n, abort.signal);
        lat.add(performance.now() - start);
        bytes += out.bytes;
        items += out.items;
        if (out.passDone) return;
      } catch (err) {
        errors++;
        if (errorSamples.size < 5) errorSamples.add(err instanceof Error ? err.message : String(err));
      }
    }
  }

  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  clearTimeout(cap);
  return {
    ops: lat.count,
    errors,
    bytes,
    items,
    elapsedMs: performance.now() - t0,
    latencyMs: lat.summary(),
    genCpuSec: cpuSeconds() - cpu0,
    generator: "fetch",
    errorSamples: [...errorSamples],
  };
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
  const result = await runLoad(spec);
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}
