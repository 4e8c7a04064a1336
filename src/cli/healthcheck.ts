import type { Command } from "./command";

/** For container HEALTHCHECKs: the image has no curl, so the binary probes itself. */
export const healthcheckCommand: Command = {
  summary: "probe a health URL (default http://127.0.0.1:9000/minio/health/live); exit 0 when it answers 200",
  async run(args) {
    const url = args[0] ?? "http://127.0.0.1:9000/minio/health/live";
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
