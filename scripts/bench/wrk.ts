/**
 * The wrk load generator (Debian `wrk`), for whole-object GETs: wrk cannot sign per request, so
 * it cycles through the cell's keys, each presigned once (a Lua `request` hook). Its percentiles
 * come from a Lua `done` hook.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { track } from "./procs";
import { presignedKeyUrls } from "./sigv4";
import type { LoadResult, LoadSpec } from "./types";

export const wrkAvailable = (): boolean => Bun.which("wrk") !== null;

/**
 * Which specs wrk can run: GET of whole objects of any size, time bounded. Large bodies too: the
 * fetch generator spent a core on them (GET 64 MiB c=4: 79% of a core in Cairn's cell, 114% at
 * the HTTP ceiling, which it held to 803 MB/s where wrk reached 1,526) and so became the limit
 * of both. Not HEAD: wrk's parser then waits for the Content-Length bytes that never come and
 * every request times out.
 */
export function wrkCanRun(spec: LoadSpec): boolean {
  const whole = spec.seconds !== undefined && spec.seconds >= 1; // wrk takes whole seconds only
  return spec.op === "get" && spec.range === undefined && whole;
}

/** `paths`: the presigned path + query of every key, requested in turn (one: wrk's own request). */
export function luaScript(method: string, paths: readonly string[]): string {
  const cycle =
    paths.length > 1
      ? `paths = { ${paths.map((p) => JSON.stringify(p)).join(", ")} }
n = 0
request = function()
  n = n % #paths + 1
  return wrk.format(nil, paths[n])
end
`
      : "";
  return `wrk.method = "${method}"
${cycle}done = function(s, lat, req)
  io.write(string.format("WRKJSON {\\"requests\\":%d,\\"duration\\":%d,\\"connect\\":%d,\\"read\\":%d,\\"write\\":%d,\\"status\\":%d,\\"timeout\\":%d,\\"p50\\":%f,\\"p99\\":%f,\\"p999\\":%f,\\"mean\\":%f}\\n",
    s.requests, s.duration, s.errors.connect, s.errors.read, s.errors.write, s.errors.status, s.errors.timeout,
    lat:percentile(50), lat:percentile(99), lat:percentile(99.9), lat.mean))
end
`;
}

interface WrkSummary {
  requests: number;
  duration: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p99: number;
  p999: number;
  mean: number;
}

export async function runWrk(spec: LoadSpec, threads: number): Promise<LoadResult> {
  const method = spec.op === "head" ? "HEAD" : "GET";
  const urls = presignedKeyUrls(spec, method);
  const url = urls[0]!;
  const dir = mkdtempSync(join(tmpdir(), "cairn-wrk-"));
  const script = join(dir, "s.lua");
  writeFileSync(script, luaScript(method, urls.map((u) => u.pathname + u.search)));
  const t = Math.max(1, Math.min(threads, spec.concurrency));
  const args = ["wrk", `-t${t}`, `-c${spec.concurrency}`, `-d${Math.round(spec.seconds!)}s`, "--timeout", "30s", "-s", script, url.href];
  try {
    const proc = track(Bun.spawn(args, { stdout: "pipe", stderr: "pipe" }));
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    const line = out.split("\n").find((l) => l.startsWith("WRKJSON "));
    if (!line) throw new Error(`wrk printed no summary: ${out.slice(0, 300)} ${await new Response(proc.stderr).text()}`);
    const s = JSON.parse(line.slice(8)) as WrkSummary;
    const usage = proc.resourceUsage();
    const errors = s.connect + s.read + s.write + s.status + s.timeout;
    const ok = s.requests - s.status;
    return {
      ops: ok,
      errors,
      bytes: method === "GET" ? ok * spec.size : 0,
      items: ok,
      elapsedMs: s.duration / 1000,
      latencyMs: { p50: s.p50 / 1000, p99: s.p99 / 1000, p999: s.p999 / 1000, mean: s.mean / 1000 },
      genCpuSec: usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : NaN,
      generator: "wrk",
      errorSamples: s.status > 0 ? [`${s.status} non-2xx responses`] : [],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
