/**
 * Runs the `cairn` client commands as real processes against a real server, with a private
 * config dir and one alias per server in the environment (CAIRN_HOST_<alias>).
 */
import { join } from "node:path";
import { main } from "../../src/main";
import { ACCESS_KEY, ROOT, run, SECRET_KEY, tempDir, type RunResult } from "../e2e/harness";

export interface Cli {
  configDir: string;
  env: Record<string, string>;
  /** Runs `cairn ARGS…` as a process; never throws on a non-zero exit (tests assert the code). */
  (...args: string[]): Promise<RunResult>;
  /**
   * The same command through `main()` in this process, stdout/stderr captured: process start-up
   * costs ~1.5 s on the shared test machine, and most tests are about behaviour, not the process.
   */
  here(...args: string[]): Promise<RunResult>;
}

const decoder = new TextDecoder();

function text(chunk: unknown): string {
  return typeof chunk === "string" ? chunk : decoder.decode(chunk as Uint8Array);
}

let captureQueue: Promise<unknown> = Promise.resolve();

async function inProcess(env: Record<string, string>, args: string[]): Promise<RunResult> {
  const saved = { out: process.stdout.write, err: process.stderr.write, env: { ...process.env } };
  const out: string[] = [];
  const err: string[] = [];
  Object.assign(process.env, env);
  process.stdout.write = ((chunk: unknown) => out.push(text(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => err.push(text(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved.env);
  }
}

export function hostEnv(url: string, access = ACCESS_KEY, secret = SECRET_KEY): string {
  const u = new URL(url);
  return `${u.protocol}//${encodeURIComponent(access)}:${encodeURIComponent(secret)}@${u.host}`;
}

export function makeCli(aliases: Record<string, string>, extraEnv: Record<string, string> = {}): Cli {
  const configDir = tempDir("cairn-client-cfg-");
  const env: Record<string, string> = { CAIRN_CONFIG_DIR: configDir, ...extraEnv };
  for (const [name, value] of Object.entries(aliases)) env[`CAIRN_HOST_${name}`] = value;
  const cli = ((...args: string[]) => run([process.execPath, join(ROOT, "src/main.ts"), ...args], { env, allowFailure: true, timeoutMs: 120_000 })) as Cli;
  // Captures swap the global stdout: run them one at a time.
  cli.here = (...args: string[]) => {
    const next = captureQueue.then(() => inProcess(env, args));
    captureQueue = next.catch(() => undefined);
    return next;
  };
  cli.configDir = configDir;
  cli.env = env;
  return cli;
}

/** Parses one JSON object per stdout line. */
export function jsonLines(r: RunResult): Record<string, unknown>[] {
  return r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function expectOk(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

export interface Proxy {
  url: string;
  /** Requests seen so far (method + path + query). */
  seen: string[];
  stop(): void;
}

/**
 * A loopback proxy in front of a real server that can answer some requests itself (to inject
 * 503s or refuse a part). The Host header is forwarded unchanged, so SigV4 signatures still match.
 */
export function startProxy(target: string, intercept: (req: Request, url: URL) => Response | Promise<Response> | null): Proxy {
  const seen: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      const early = intercept(req, url);
      if (early) return early;
      const headers = new Headers(req.headers);
      const res = await fetch(`${target}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: req.body,
        redirect: "manual",
        decompress: false,
      } as RequestInit);
      return new Response(res.body, { status: res.status, headers: res.headers });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}
