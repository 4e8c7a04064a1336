/**
 * The light part of configuration: listen addresses and the error type. Kept free of zod so the
 * server can bind its port and answer /minio/health/live before the heavy modules load.
 */

/** A configuration the server cannot start with; the CLI turns it into exit code 2. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface ListenAddress {
  /** Empty string: every interface. */
  host: string;
  port: number;
}

export type Env = Record<string, string | undefined>;

/** The first of `names` set to a non-empty value. CAIRN_ names come first, MINIO_ ones are aliases. */
export function firstEnv(env: Env, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== "") return v;
  }
  return undefined;
}

const ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/;

export function parseAddress(value: string): ListenAddress {
  const m = ADDRESS.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new ConfigError(`invalid address '${value}': expected HOST:PORT or :PORT (e.g. :9000, 127.0.0.1:9000)`);
  }
  return { host: m[1] ?? m[2] ?? "", port };
}

/** The S3 address as given: flag, then CAIRN_ADDRESS / MINIO_ADDRESS, then :9000. */
export function s3AddressText(flag: string | undefined, env: Env): string {
  return flag ?? firstEnv(env, "CAIRN_ADDRESS", "MINIO_ADDRESS") ?? ":9000";
}

/** The console address as given: flag, then CAIRN_CONSOLE_ADDRESS / MINIO_CONSOLE_ADDRESS, then :9001. */
export function consoleAddressText(flag: string | undefined, env: Env): string {
  return flag ?? firstEnv(env, "CAIRN_CONSOLE_ADDRESS", "MINIO_CONSOLE_ADDRESS") ?? ":9001";
}

/** How a local client reaches an address: every-interface binds are probed on 127.0.0.1. */
export function localUrl(address: ListenAddress, port = address.port): string {
  const host = address.host === "" || address.host === "0.0.0.0" || address.host === "::" ? "127.0.0.1" : address.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
