/** The servers under test: Cairn on fresh temp drives, the s3rver mock, or any S3 endpoint. */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { freePort, freePorts, settledTree, stopProcess, track, treePssMb, waitForHttp } from "./procs";

export interface Target {
  /** Label in the table: `cairn-4`, `s3rver`, or the endpoint's host. */
  name: string;
  kind: "cairn" | "s3rver" | "external";
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** Server process id, when we started it: root of the process tree whose CPU and PSS are measured. */
  pid?: number;
  drives: string[];
  ec?: { k: number; m: number };
  startupMs?: number;
  /** PSS in MB summed over the server's process tree once started and quiet. */
  idleRssMb?: number;
  /** Processes in the server's tree once started (a server of several: its primary and workers). */
  processes?: number;
  stop(): Promise<void>;
}

export interface CairnOptions {
  repo: string;
  root: string;
  drives: number;
  binary: boolean;
  accessKey: string;
  secretKey: string;
}

/** DESIGN §4's default parity by set size, so the bench knows k and m without asking. */
export function defaultParity(drives: number): number {
  if (drives <= 1) return 0;
  if (drives <= 3) return 1;
  if (drives <= 5) return 2;
  if (drives <= 7) return 3;
  return 4;
}

export async function startCairn(o: CairnOptions): Promise<Target> {
  const base = join(o.root, `cairn-${o.drives}`);
  const drives = Array.from({ length: o.drives }, (_, i) => join(base, `d${i + 1}`));
  for (const d of drives) mkdirSync(d, { recursive: true });
  const [port, consolePort] = freePorts(2);
  const endpoint = `http://127.0.0.1:${port}`;
  const m = defaultParity(o.drives);
  const exe = o.binary ? [join(o.repo, "dist/cairn")] : [process.execPath, join(o.repo, "src/main.ts")];
  const env: Record<string, string> = { ...process.env, CAIRN_ROOT_USER: o.accessKey, CAIRN_ROOT_PASSWORD: o.secretKey };
  if (m > 0) env.CAIRN_STORAGE_CLASS_STANDARD = `EC:${m}`;
  const since = performance.now();
  // A private console port too: the default :9001 may be taken by another server on the box.
  const args = ["server", ...drives, "--address", `127.0.0.1:${port}`, "--console-address", `127.0.0.1:${consolePort}`];
  const proc = track(
    Bun.spawn([...exe, ...args], {
      cwd: o.repo,
      env,
      stdout: Bun.file(join(base, "server.log")),
      stderr: Bun.file(join(base, "server.err.log")),
    }),
  );
  let startupMs: number;
  try {
    startupMs = await waitForHttp(`${endpoint}/minio/health/live`, { since, timeoutMs: 30_000, proc, ok: (s) => s === 200 });
  } catch (err) {
    await stopProcess(proc);
    throw new Error(`cairn (${o.drives} drives) did not start: ${(err as Error).message}; see ${base}/server.err.log`);
  }
  // Idle means started and quiet: every process forked, and lazy initialisation given a moment.
  const tree = await settledTree(proc.pid);
  await Bun.sleep(500);
  return {
    name: `cairn-${o.drives}`,
    kind: "cairn",
    endpoint,
    accessKey: o.accessKey,
    secretKey: o.secretKey,
    pid: proc.pid,
    drives,
    ec: { k: o.drives - m, m },
    startupMs,
    idleRssMb: treePssMb(proc.pid),
    processes: tree.length,
    stop: () => stopProcess(proc),
  };
}

export async function startS3rver(o: { repo: string; root: string }): Promise<Target> {
  const dir = join(o.root, "s3rver");
  mkdirSync(dir, { recursive: true });
  const port = freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver is a Node program; run it the way its users do when node is present. Its continuation
  // tokens use DES, which OpenSSL 3 only offers through the legacy provider (else LIST pages 500).
  const node = Bun.which("node");
  const runtime = node ? [node, "--openssl-legacy-provider"] : [process.execPath];
  const since = performance.now();
  const proc = track(
    Bun.spawn([...runtime, join(o.repo, "node_modules/s3rver/bin/s3rver.js"), "-d", dir, "-p", String(port), "-a", "127.0.0.1", "-s"], {
      cwd: o.repo,
      stdout: "ignore",
      stderr: Bun.file(join(o.root, "s3rver.err.log")),
    }),
  );
  const startupMs = await waitForHttp(`${endpoint}/`, { since, timeoutMs: 30_000, proc });
  await Bun.sleep(500);
  return {
    name: "s3rver",
    kind: "s3rver",
    endpoint,
    accessKey: "S3RVER",
    secretKey: "S3RVER",
    pid: proc.pid,
    drives: [],
    startupMs,
    idleRssMb: treePssMb(proc.pid),
    stop: () => stopProcess(proc),
  };
}

export function externalTarget(o: { endpoint: string; accessKey: string; secretKey: string }): Target {
  return {
    name: new URL(o.endpoint).host,
    kind: "external",
    endpoint: o.endpoint.replace(/\/+$/, ""),
    accessKey: o.accessKey,
    secretKey: o.secretKey,
    drives: [],
    stop: async () => {},
  };
}

/** Takes one drive away under the running server (as a pulled disk would) and back again. */
export function removeDrive(t: Target): () => void {
  const drive = t.drives[0];
  if (!drive) throw new Error(`${t.name} has no drive to remove`);
  renameSync(drive, `${drive}.away`);
  return () => {
    // The server may have recreated the path (a heal, a write); the original contents win.
    if (existsSync(drive)) rmSync(drive, { recursive: true, force: true });
    renameSync(`${drive}.away`, drive);
  };
}
