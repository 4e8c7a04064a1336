/**
 * Start-up and shutdown of the whole server. Listening comes first so /minio/health/live answers
 * at once; the object layer opens behind it and S3 requests that arrive meanwhile wait for it.
 */
import type { ObjectLayer, StorageInfo } from "../object";
import { runPeriodically, type Periodic } from "../lib/index";
import { openAccessLog } from "./access-log";
import { createApp, fetchHandler, type S3Handler } from "./app";
import type { Backend, LayerOptions } from "./backend";
import { localUrl } from "./address";
import { ConfigError, type Env, type ListenAddress, type ServerConfig } from "./config";
import { startConsole } from "./console";
import type { Listener } from "./listener";
import { Metrics, type MetricsSnapshot } from "./metrics";
import { WorkerLink, workerRole } from "./cluster";
import { join } from "node:path";
import { bindError, checkDrives } from "./preflight";

export interface RunningServer {
  s3Url: string;
  consoleUrl: string;
  drives: string[];
  /** Resolves once the object layer is open; rejects when it cannot open (e.g. foreign drives). */
  ready: Promise<void>;
  metrics: Metrics;
  /** Stop accepting, let in-flight requests finish (bounded), close the layer. Idempotent. */
  stop(): Promise<void>;
}

/** Runs one of the backend's pure configuration parsers; whatever it rejects is a config error. */
function configStep<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new ConfigError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Sets of 2–16 drives: the largest divisor of the drive count ≤ 16, as DESIGN.md §4 says. */
function setSizeFor(driveCount: number): number {
  for (let s = Math.min(16, driveCount); s > 1; s--) {
    if (driveCount % s === 0) return s;
  }
  return 1;
}

/** The banner's layout: sets, set size and parity (by default chosen from the set size). */
export function describeLayout(driveCount: number, parity?: number): string {
  const setSize = setSizeFor(driveCount);
  const m = parity ?? (setSize <= 1 ? 0 : setSize <= 3 ? 1 : setSize <= 5 ? 2 : setSize <= 7 ? 3 : 4);
  const sets = driveCount / setSize;
  return `${sets} set${sets === 1 ? "" : "s"} of ${setSize} drive${setSize === 1 ? "" : "s"}, EC:${m} (${setSize - m} data + ${m} parity)`;
}

function warnDefaultCredentials(): void {
  process.stderr.write(
    "\n*** WARNING: using the default root credentials minioadmin/minioadmin. Anyone can read and write\n" +
      "*** every object. Set CAIRN_ROOT_USER and CAIRN_ROOT_PASSWORD before exposing this server.\n\n",
  );
}

/**
 * Parity the layer would refuse once the drives are open, refused here instead so the message
 * names the variable to fix (and the server does not first come up half-way).
 */
function checkParity(env: Env, driveCount: number, parity: { parity?: number; rrsParity?: number }): void {
  const setSize = setSizeFor(driveCount);
  const max = Math.floor(setSize / 2);
  const named = (suffix: string) => (env[`CAIRN_STORAGE_CLASS_${suffix}`] !== undefined ? "CAIRN" : "MINIO") + `_STORAGE_CLASS_${suffix}`;
  if (parity.parity !== undefined && parity.parity > max) {
    throw new ConfigError(`${named("STANDARD")}=EC:${parity.parity}: parity must be 0..${max} for ${driveCount} drive(s) in sets of ${setSize}`);
  }
  if (parity.rrsParity !== undefined && parity.parity !== undefined && parity.rrsParity > parity.parity) {
    throw new ConfigError(`${named("RRS")}=EC:${parity.rrsParity}: must not exceed the STANDARD parity EC:${parity.parity}`);
  }
}

export interface StartDeps {
  backend: Backend;
  env: Env;
  /** Already bound (and answering liveness) by `runServer`. */
  listener: Listener;
}

/**
 * The object layer and the S3 front behind it, opened in the background while the port already
 * answers: S3 requests that arrive meanwhile wait for `opening`.
 */
class LayerSlot {
  layer: ObjectLayer | null = null;
  private handler: S3Handler | null = null;
  /** Background work over the layer (the lifecycle scanner), stopped before the layer closes. */
  private background: { stop(): Promise<void> } | null = null;
  readonly opening: Promise<S3Handler>;

  constructor(open: () => Promise<{ layer: ObjectLayer; handler: S3Handler; background?: { stop(): Promise<void> } }>) {
    this.opening = open().then(({ layer, handler, background }) => {
      this.layer = layer;
      this.handler = handler;
      this.background = background ?? null;
      return handler;
    });
    // Requests await `opening` themselves; keep an early failure from being reported unhandled.
    this.opening.catch(() => undefined);
  }

  readonly handle: S3Handler = async (req, ctx) => (this.handler ?? (await this.opening))(req, ctx);
  readonly storageInfo = async (): Promise<StorageInfo | null> => (this.layer ? this.layer.storageInfo() : null);

  async close(): Promise<void> {
    await this.opening.catch(() => undefined);
    await this.background?.stop();
    if (this.layer) await this.layer.close();
  }
}

/** Lifecycle expiry runs hourly by default (CAIRN_LIFECYCLE_INTERVAL_MS overrides; 0 turns it off). */
async function startLifecycle(layer: ObjectLayer): Promise<Periodic | undefined> {
  const intervalMs = Number(process.env.CAIRN_LIFECYCLE_INTERVAL_MS ?? 3_600_000);
  if (!(intervalMs > 0)) return undefined;
  const [bucket, s3] = await Promise.all([import("../bucket/index.ts"), import("../s3/index.ts")]);
  return bucket.startLifecycleScanner(
    { layer, targetOf: (b) => s3.lifecycleTargetOf(layer, b) },
    { intervalMs, onError: (e) => console.error("[lifecycle] scan failed:", e) },
  );
}

/**
 * A heal pass over every bucket every 24 h by default (CAIRN_HEAL_INTERVAL_MS overrides; 0 turns
 * it off): objects nobody reads still get their lost or corrupt shards back, and a replaced
 * drive is refilled without an operator. One key at a time, so requests keep priority.
 */
function startHealScanner(layer: ObjectLayer): Periodic | undefined {
  const intervalMs = Number(process.env.CAIRN_HEAL_INTERVAL_MS ?? 86_400_000);
  if (!(intervalMs > 0)) return undefined;
  return runPeriodically(() => layer.healAll(), { intervalMs, onError: (e) => console.error("[heal] scan failed:", e) });
}

/** `background`: run the scans (one process of a cluster does). */
function openSlot(config: ServerConfig, backend: Backend, opts: LayerOptions, background: boolean): LayerSlot {
  return new LayerSlot(async () => {
    const layer = await backend.openLayer(opts);
    const lookupSecret = async (key: string) => (key === config.rootUser ? config.rootPassword : null);
    const handler = backend.createS3Handler({ layer, lookupSecret, region: config.region, domains: config.domains });
    const tasks = background ? [await startLifecycle(layer), startHealScanner(layer)].filter((t) => t !== undefined) : [];
    return { layer, handler, background: { stop: async () => void (await Promise.all(tasks.map((t) => t.stop()))) } };
  });
}

export async function startServer(config: ServerConfig, deps: StartDeps): Promise<RunningServer> {
  const { backend, env, listener } = deps;
  const drives = configStep("drives", () => config.driveArgs.flatMap((a) => backend.expandDrives(a)));
  const { parity, rrsParity } = configStep("storage class", () => backend.storageClassParity(env));
  checkParity(env, drives.length, { parity, rrsParity });
  checkDrives(drives);
  const accessLog = config.accessLog === null ? null : openAccessLog(config.accessLog);
  if (config.defaultCredentials) warnDefaultCredentials();

  const role = workerRole();
  const layerOpts: LayerOptions = { drives, ...(parity !== undefined && { parity }), ...(rrsParity !== undefined && { rrsParity }) };
  if (role) {
    layerOpts.shared = {
      generationsFile: join(role.stateDir, "generations"),
      lockFile: join(role.stateDir, "locks"),
      syncRelay: { socket: join(role.stateDir, "sync.sock"), leader: role.index === 1 },
    };
    // Before any drive opens: this worker stages in its own share of the scratch area, which it
    // empties when it starts again after a crash; the first start of worker 1 empties it all.
    layerOpts.tmpOwner = `w${role.index}`;
    layerOpts.cleanupTmp = role.first ? "all" : "own";
  }
  const leader = !role || role.index === 1;
  const slot = openSlot(config, backend, layerOpts, leader);
  const metrics = new Metrics();
  let stop: () => Promise<void> = async () => undefined;
  const link = role
    ? new WorkerLink(
        () => metrics.snapshot(listener.inFlight(), slot.layer?.stats?.() ?? null),
        () => void stop().finally(() => process.exit(0)),
      )
    : null;
  let consolePort = config.consoleAddress.port;
  const app = createApp({
    metrics,
    storageInfo: slot.storageInfo,
    inFlight: () => listener.inFlight(),
    apiName: backend.apiNamer(config.domains),
    events: () => slot.layer?.stats?.() ?? null,
    accessLog,
    ...(link && { gatherMetrics: () => link.gather() as Promise<MetricsSnapshot[] | null> }),
    s3: slot.handle,
    consoleUrl: config.console
      ? (req) => `http://${(req.headers.get("host") ?? "127.0.0.1").replace(/:\d+$/, "")}:${consolePort}/`
      : () => null,
  });
  listener.serve(fetchHandler(app));
  const s3Url = localUrl(config.address, listener.port);
  let consoleServer: ReturnType<typeof startConsole> | null = null;
  try {
    if (config.console && leader) consoleServer = startConsole(config.consoleAddress, s3Url);
  } catch (err) {
    await slot.close();
    const { host, port } = config.consoleAddress;
    err = bindError(err, "console", `${host.includes(":") ? `[${host}]` : host}:${port}`) ?? err;
    await accessLog?.close();
    throw err;
  }
  consolePort = consoleServer?.port ?? consolePort;
  const consoleUrl = consoleServer ? localUrl(config.consoleAddress, consolePort) : "off";

  let stopping: Promise<void> | null = null;
  stop = () =>
    (stopping ??= (async () => {
      await listener.close(config.shutdownTimeoutMs);
      await accessLog?.close();
      await consoleServer?.stop(true);
      await slot.close();
    })());
  const ready = slot.opening.then(() => {
    link?.ready();
    if (!leader) return;
    const layout = describeLayout(drives.length, parity);
    const processes = role ? `  Processes: ${role.count}` : "";
    process.stdout.write(
      `Cairn S3: ${s3Url}  Console: ${consoleUrl}  Drives: ${drives.length}  Layout: ${layout}  Region: ${config.region}${processes}\n`,
    );
  });
  return { s3Url, consoleUrl, drives, ready, metrics, stop };
}
