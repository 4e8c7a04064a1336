import type { Command } from "./command";
import { envFlags } from "./server";

const LIVE_PATH = "/minio/health/live";

/**
 * The URL the server started with the same environment would answer on: `--address` in
 * CAIRN_OPTS / MINIO_OPTS, then CAIRN_ADDRESS / MINIO_ADDRESS, then :9000. A container or unit
 * that moves the port through its environment keeps a working HEALTHCHECK without editing it.
 */
export async function defaultHealthUrl(env: NodeJS.ProcessEnv): Promise<string> {
  const opts = envFlags(env);
  let flag: string | undefined;
  for (let i = 0; i < opts.length; i++) {
    const arg = opts[i]!;
    if (arg === "--address") flag = opts[i + 1];
    else if (arg.startsWith("--address=")) flag = arg.slice("--address=".length);
  }
  // The light part of the server module only: no zod, no storage stack.
  const { localUrl, parseAddress, s3AddressText } = await import("../server");
  return `${localUrl(parseAddress(s3AddressText(flag, env)))}${LIVE_PATH}`;
}

/** For container HEALTHCHECKs: the image has no curl, so the binary probes itself. */
export const healthcheckCommand: Command = {
  summary: "probe a health URL (default: this environment's server address, /minio/health/live); exit 0 on 200",
  async run(args) {
    let url: string;
    try {
      url = args[0] ?? (await defaultHealthUrl(process.env));
    } catch (err) {
      process.stderr.write(`cairn healthcheck: ${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (res.status === 200) return 0;
      process.stderr.write(`cairn healthcheck: ${url} answered ${res.status}\n`);
    } catch (err) {
      process.stderr.write(`cairn healthcheck: ${url}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return 1;
  },
};
