/** `cairn server DIR... [--address :9000] [--console-address :9001] [--domain d]` */
import type { Command } from "./command";
import { parseFlags, UsageError } from "./args";

const HELP = `Usage: cairn server DIR... [flags]

Serves S3 on erasure-coded drives. DIR may use ellipses: /mnt/disk{1...4}.
With no DIR, CAIRN_VOLUMES or MINIO_VOLUMES (space-separated) is used. Missing
directories are created, except some of a multi-drive set (mount or create them).

Flags:
  --address HOST:PORT          S3 API address (default :9000, env CAIRN_ADDRESS or MINIO_ADDRESS)
  --console-address HOST:PORT  console address (default :9001, env CAIRN_CONSOLE_ADDRESS)
  --domain NAME                domain for virtual-hosted buckets (repeatable, env CAIRN_DOMAIN)
  -h, --help                   show this help

Environment: CAIRN_ROOT_USER / CAIRN_ROOT_PASSWORD (or MINIO_ROOT_USER / MINIO_ROOT_PASSWORD),
CAIRN_OPTS (or MINIO_OPTS: extra flags), CAIRN_BROWSER=off (or MINIO_BROWSER: no console),
CAIRN_REGION, CAIRN_STORAGE_CLASS_STANDARD=EC:N,
CAIRN_SHUTDOWN_TIMEOUT_MS, CAIRN_PROCESSES=N|auto (server processes sharing the port; default 1).
`;

const OPTIONS = {
  address: { type: "string" },
  "console-address": { type: "string" },
  domain: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Extra flags from CAIRN_OPTS (alias MINIO_OPTS, as the MinIO image and unit use it), placed
 * before the command line's own so an explicit flag still wins.
 */
export function envFlags(env: NodeJS.ProcessEnv): string[] {
  return (env.CAIRN_OPTS || env.MINIO_OPTS || "").split(/\s+/).filter((s) => s !== "");
}

/** Bad input at start-up is one line on stderr (journald and `docker logs` show it whole). */
function startupError(message: string): number {
  process.stderr.write(`cairn server: ${message}\n`);
  return 2;
}

export const serverCommand: Command = {
  summary: "start the S3 server on one or more drive directories",
  async run(args) {
    let parsed;
    try {
      parsed = parseFlags([...envFlags(process.env), ...args], OPTIONS);
    } catch (err) {
      if (err instanceof UsageError) return startupError(`${err.message} (see cairn server --help)`);
      throw err;
    }
    if (parsed.values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    // Loaded here, not at the top, so other commands and --help never pay for the server's imports.
    const server = await import("../server");
    const s3Address = () => server.s3AddressText(parsed.values.address, process.env);
    const count = serverProcesses(server, parsed.values.address);
    if (typeof count === "string") return startupError(count);
    if (count > 1) {
      try {
        server.checkPortFree(server.parseAddress(s3Address()));
      } catch (err) {
        const known = server.bindError(err, "S3", s3Address());
        if (known) return startupError(known.message);
        throw err;
      }
      return server.runPrimary(count);
    }
    let running;
    try {
      const flags = {
        positionals: parsed.positionals,
        address: parsed.values.address,
        consoleAddress: parsed.values["console-address"],
        domains: parsed.values.domain,
      };
      running = await server.runServer(flags, process.env);
    } catch (err) {
      const known = err instanceof server.ConfigError ? err : server.bindError(err, "S3", s3Address());
      if (known) return startupError(known.message);
      throw err;
    }
    installSignalHandlers(running.stop, server.workerRole() !== null);
    try {
      await running.ready;
    } catch (err) {
      process.stderr.write(`cairn server: cannot open the drives: ${err instanceof Error ? err.message : String(err)}\n`);
      await running.stop();
      return 1;
    }
    return -1;
  },
};

/** How many server processes to run (1 in a cluster's worker), or the configuration's error. */
function serverProcesses(server: typeof import("../server"), addressFlag: string | undefined): number | string {
  if (server.workerRole() !== null) return 1;
  let port = 9000;
  try {
    port = server.parseAddress(server.s3AddressText(addressFlag, process.env)).port;
  } catch {
    return 1; // the server reports the bad address itself
  }
  try {
    return server.processCount(process.env, port);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * First SIGTERM/SIGINT: graceful stop, exit 0. A second one: exit at once. A cluster's worker
 * ignores SIGINT: a Ctrl-C reaches the whole process group, and the primary's SIGTERM that
 * follows is the one stop (a second signal would cut in-flight requests).
 */
function installSignalHandlers(stop: () => Promise<void>, worker: boolean): void {
  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) process.exit(1);
    signalled = true;
    process.stderr.write(`cairn server: ${signal} received, finishing in-flight requests\n`);
    stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`cairn server: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => worker || onSignal("SIGINT"));
}
