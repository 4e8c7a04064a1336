/**
 * Runs Cairn the way a user or a container runtime does: with arguments and environment chosen
 * by the test (no harness defaults). The compiled dist/cairn is used when it is newer than every
 * source file (binary.test.ts builds it; building again here would cost a minute per file),
 * otherwise `bun src/main.ts`, which is the same program.
 */
import type { Subprocess } from "bun";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, collect, ROOT } from "./harness";

const BINARY = join(ROOT, "dist/cairn");

function newestSourceMtime(): number {
  let newest = statSync(join(ROOT, "package.json")).mtimeMs;
  for (const dir of ["src", "ffi"]) {
    for (const rel of readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })) {
      const st = statSync(join(ROOT, dir, rel));
      if (st.isFile() && st.mtimeMs > newest) newest = st.mtimeMs;
    }
  }
  return newest;
}

function pickCommand(): { argv0: string[]; kind: string } {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs > newestSourceMtime()) return { argv0: [BINARY], kind: "dist/cairn" };
  return { argv0: [process.execPath, join(ROOT, "src/main.ts")], kind: "bun src/main.ts (dist/cairn missing or older than src)" };
}

/** Chosen once per test file: what runs is reported in the test log. */
export const CAIRN = pickCommand();

export interface Spawned {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  stdout(): string;
  stderr(): string;
  /** Exit code, or null when it did not exit within `ms`. */
  exited(ms: number): Promise<number | null>;
  /** SIGTERM once and wait (bounded) for the exit code; SIGKILL if ignored. */
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  /** A command that runs Cairn, e.g. `setpriv --reuid=65534 …` to start it as another user. */
  wrap?: string[];
  /** Working directory (default: the repository), where relative drive paths would land. */
  cwd?: string;
}

/** `env` is the whole CAIRN_/MINIO_ environment: the test's own shell variables are not passed. */
export function spawnCairn(args: string[], env: Record<string, string>, opts: SpawnOptions = {}): Spawned {
  const proc = Bun.spawn([...(opts.wrap ?? []), ...CAIRN.argv0, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...baseEnv(), ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out: string[] = [];
  const err: string[] = [];
  collect(proc.stdout, out);
  collect(proc.stderr, err);
  const exited = async (ms: number) => {
    const code = await Promise.race([proc.exited, Bun.sleep(ms).then(() => null)]);
    // Let the pipes deliver what the process wrote just before it exited.
    if (code !== null) await Bun.sleep(50);
    return code;
  };
  const stop = async () => {
    if (proc.exitCode === null) proc.kill("SIGTERM");
    const code = await exited(20_000);
    if (code === null) proc.kill("SIGKILL");
    return code;
  };
  return { proc, stdout: () => out.join(""), stderr: () => err.join(""), exited, stop };
}

/**
 * What a testcontainers HTTP wait strategy does: GET the path until it answers 200, and nothing
 * more (no readiness wait), so the test's first request may arrive while the drives still open.
 */
export async function waitForHttp200(url: string, spawned: Spawned, timeoutMs = 30_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (spawned.proc.exitCode !== null) throw new Error(`cairn exited with ${spawned.proc.exitCode}:\n${spawned.stderr()}`);
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return performance.now() - t0;
    await Bun.sleep(25);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${spawned.stdout()}${spawned.stderr()}`);
}
