/**
 * End-to-end harness: starts the real server process (`bun src/main.ts server DRIVES…`) on free
 * loopback ports, waits for /minio/health/live, and stops it with SIGTERM. Also runs real client
 * programs with an environment that points them at the server and nowhere else.
 */
import type { Subprocess } from "bun";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "../../scripts/bench/procs";

export const ROOT = join(import.meta.dir, "..", "..");
export const ACCESS_KEY = "cairn-e2e-access";
export const SECRET_KEY = "cairn-e2e-secret-key-0123456789";
export const REGION = "us-east-1";

/** A temp directory removed by `cleanupTemp()`; every test file calls that in afterAll. */
const temps: string[] = [];
export function tempDir(prefix = "cairn-e2e-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
export function cleanupTemp(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

// One way to pick ports for the bench and the tests: distinct ports for S3 and console.
export { freePort, freePorts } from "../../scripts/bench/procs";

export interface ServerHandle {
  url: string;
  port: number;
  consolePort: number;
  drives: string[];
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Spawn to the first 200 from /minio/health/live. */
  liveMs: number;
  /** stdout + stderr so far, for failure messages. */
  output(): string;
  /** Send SIGTERM once (a second SIGTERM would make the server exit at once). */
  terminate(): void;
  /** SIGTERM (once) and wait, bounded, for the exit code. */
  stop(): Promise<number>;
}

export interface StartOptions {
  /** A drive count (fresh temp dirs) or existing directories (a restart). */
  drives: number | string[];
  env?: Record<string, string>;
  extraArgs?: string[];
}

export function collect(stream: ReadableStream<Uint8Array>, sink: string[]): void {
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of stream) sink.push(decoder.decode(chunk, { stream: true }));
  })().catch(() => undefined);
}

/** The AWS CLI confined to `home` (its own empty config) with the test credentials. */
export function awsCliEnv(home: string): Record<string, string> {
  writeFileSync(join(home, "config"), "");
  return {
    HOME: home,
    AWS_CONFIG_FILE: join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_DEFAULT_REGION: REGION,
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // rclone 1.60 refuses to start when AWS_CA_BUNDLE is set, even for http endpoints.
    if (v !== undefined && k !== "AWS_CA_BUNDLE" && !/^(CAIRN|MINIO)_/.test(k)) env[k] = v;
  }
  return env;
}

async function waitHealthy(url: string, which: "live" | "ready", proc: Subprocess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/minio/health/${which}`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(20);
  }
  throw new Error(`server did not become ${which} within 20 s:\n${output()}`);
}

/** Server-side failures explain client-side symptoms ("socket hang up"): show them in the test log. */
function reportServerErrors(output: string): void {
  const lines = output.split("\n").filter((l) => /^cairn: .*(failed|error)/i.test(l));
  if (lines.length) console.error(`[server log]\n${lines.join("\n")}`);
}

export async function startServer(opts: StartOptions): Promise<ServerHandle> {
  const drives =
    typeof opts.drives === "number"
      ? Array.from({ length: opts.drives }, (_, i) => {
          const d = join(tempDir("cairn-drive-"), `d${i + 1}`);
          mkdirSync(d);
          return d;
        })
      : opts.drives;
  const [port, consolePort] = freePorts(2) as [number, number];
  const env = {
    ...baseEnv(),
    CAIRN_ROOT_USER: ACCESS_KEY,
    CAIRN_ROOT_PASSWORD: SECRET_KEY,
    CAIRN_SHUTDOWN_TIMEOUT_MS: "5000",
    ...opts.env,
  };
  const args = ["src/main.ts", "server", ...drives, "--address", `127.0.0.1:${port}`, "--console-address", `127.0.0.1:${consolePort}`];
  const proc = Bun.spawn([process.execPath, ...args, ...(opts.extraArgs ?? [])], {
    cwd: ROOT,
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out: string[] = [];
  collect(proc.stdout, out);
  collect(proc.stderr, out);
  const output = () => out.join("");
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  await waitHealthy(url, "live", proc, output);
  const liveMs = performance.now() - t0;
  // Live answers before the drives are open; tests want the layer open (and the banner printed).
  await waitHealthy(url, "ready", proc, output);
  let signalled = false;
  const terminate = () => {
    if (!signalled && proc.exitCode === null) proc.kill("SIGTERM");
    signalled = true;
  };
  const stop = async () => {
    terminate();
    reportServerErrors(output());
    const code = await Promise.race([proc.exited, Bun.sleep(20_000).then(() => null)]);
    if (code === null) {
      proc.kill("SIGKILL");
      throw new Error(`server ignored SIGTERM for 20 s:\n${output()}`);
    }
    return code;
  };
  return { url, port, consolePort, drives, proc, liveMs, output, terminate, stop };
}

// ---- running client programs ----

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Default: a non-zero exit throws with the program's output. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

export async function run(cmd: string[], opts: RunOptions = {}): Promise<RunResult> {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd ?? ROOT,
    env: { ...baseEnv(), ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 240_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  if (code !== 0 && !opts.allowFailure) {
    throw new Error(`${cmd.join(" ")} exited with ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
  return { code, stdout, stderr };
}

/**
 * A program from Debian's path first (pyenv shims may shadow it with another version). When it is
 * absent the suite skips, and says why: `scripts/setup.sh --test` installs it.
 */
export function program(name: string): string | null {
  for (const dir of ["/usr/bin", "/usr/local/bin"]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  const found = Bun.which(name);
  if (!found) console.warn(`e2e: skipping the ${name} suite: ${name} is not installed (scripts/setup.sh --test installs it)`);
  return found;
}

/** Deterministic pseudo-random bytes (xorshift), so a failure can be reproduced. */
export function pseudoRandom(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  const view = new Uint32Array(out.buffer, 0, Math.floor(size / 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < view.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view[i] = x >>> 0;
  }
  for (let i = view.length * 4; i < size; i++) out[i] = i & 0xff;
  return out;
}

/** Writes a file of `size` pseudo-random bytes in 8 MiB pieces (never the whole file in memory). */
export async function writeRandomFile(path: string, size: number, seed = 1): Promise<void> {
  const writer = Bun.file(path).writer();
  const piece = 8 * 1024 * 1024;
  for (let off = 0, i = 0; off < size; off += piece, i++) {
    writer.write(pseudoRandom(Math.min(piece, size - off), seed * 7919 + i));
    await writer.flush();
  }
  await writer.end();
}

export async function md5File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("md5");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}

/** A short unique bucket name per test, valid for every client. */
let bucketSeq = 0;
export function bucketName(prefix: string): string {
  bucketSeq++;
  return `${prefix}-${process.pid}-${bucketSeq}-${Math.floor(Math.random() * 1e6)}`.toLowerCase().slice(0, 63);
}
