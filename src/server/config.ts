/**
 * Server configuration: command-line flags and environment, validated with zod into one typed
 * value. MinIO's variable names are accepted as aliases so a container that swaps the MinIO
 * image for ours keeps working (DESIGN.md §7).
 */
import { z } from "zod";

/** A configuration the server cannot start with; the CLI turns it into exit code 2. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface ListenAddress {
  /** Empty string: every interface. */
  host: string;
  port: number;
}

export interface ServerConfig {
  /** Drive arguments as given (ellipsis patterns not yet expanded). */
  driveArgs: string[];
  address: ListenAddress;
  consoleAddress: ListenAddress;
  domains: string[];
  region: string;
  rootUser: string;
  rootPassword: string;
  /** True when neither CAIRN_ nor MINIO_ credentials were set: the server warns loudly. */
  defaultCredentials: boolean;
  /** Bound on the wait for in-flight requests at SIGTERM before connections are cut. */
  shutdownTimeoutMs: number;
}

/** What the CLI parsed; every field optional so env and defaults can fill in. */
export interface ServerFlags {
  positionals: string[];
  address?: string;
  consoleAddress?: string;
  domains?: string[];
}

export type Env = Record<string, string | undefined>;

const ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/;

export function parseAddress(value: string): ListenAddress {
  const m = ADDRESS.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new ConfigError(`invalid address '${value}': expected HOST:PORT or :PORT (e.g. :9000, 127.0.0.1:9000)`);
  }
  return { host: m[1] ?? m[2] ?? "", port };
}

const nonEmpty = z.string().trim().min(1);
const schema = z.object({
  driveArgs: z.array(nonEmpty).min(1, "no drives given: cairn server DIR... (or set MINIO_VOLUMES)"),
  address: z.string().transform((v) => parseAddress(v)),
  consoleAddress: z.string().transform((v) => parseAddress(v)),
  domains: z.array(nonEmpty),
  region: nonEmpty,
  rootUser: z.string().min(3, "root user must be at least 3 characters"),
  rootPassword: z.string().min(8, "root password must be at least 8 characters"),
  defaultCredentials: z.boolean(),
  shutdownTimeoutMs: z.coerce.number().int().min(0).max(3_600_000),
});

function first(env: Env, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== "") return v;
  }
  return undefined;
}

function splitList(value: string | undefined, separator: RegExp): string[] {
  return (value ?? "")
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Flags win over environment, environment over defaults. Throws ConfigError with every problem found. */
export function resolveConfig(flags: ServerFlags, env: Env): ServerConfig {
  const user = first(env, "CAIRN_ROOT_USER", "MINIO_ROOT_USER", "MINIO_ACCESS_KEY");
  const password = first(env, "CAIRN_ROOT_PASSWORD", "MINIO_ROOT_PASSWORD", "MINIO_SECRET_KEY");
  if ((user === undefined) !== (password === undefined)) {
    throw new ConfigError("set both the root user and the root password (CAIRN_ROOT_USER and CAIRN_ROOT_PASSWORD), or neither");
  }
  const driveArgs = flags.positionals.length
    ? flags.positionals
    : splitList(first(env, "CAIRN_VOLUMES", "MINIO_VOLUMES"), /\s+/);
  const domains = flags.domains?.length ? flags.domains : splitList(first(env, "CAIRN_DOMAIN", "MINIO_DOMAIN"), /,/);
  const raw = {
    driveArgs,
    address: flags.address ?? first(env, "CAIRN_ADDRESS", "MINIO_ADDRESS") ?? ":9000",
    consoleAddress: flags.consoleAddress ?? first(env, "CAIRN_CONSOLE_ADDRESS", "MINIO_CONSOLE_ADDRESS") ?? ":9001",
    domains,
    region: first(env, "CAIRN_REGION", "MINIO_REGION", "MINIO_SITE_REGION") ?? "us-east-1",
    rootUser: user ?? "minioadmin",
    rootPassword: password ?? "minioadmin",
    defaultCredentials: user === undefined,
    shutdownTimeoutMs: first(env, "CAIRN_SHUTDOWN_TIMEOUT_MS") ?? "10000",
  };
  try {
    return schema.parse(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if (err instanceof z.ZodError) {
      throw new ConfigError(err.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; "));
    }
    throw err;
  }
}
