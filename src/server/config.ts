/**
 * Server configuration: command-line flags and environment, validated with zod into one typed
 * value. MinIO's variable names are accepted as aliases so a container that swaps the MinIO
 * image for ours keeps working (DESIGN.md §7).
 */
import { z } from "zod";
import { ConfigError, consoleAddressText, firstEnv as first, parseAddress, s3AddressText, type Env, type ListenAddress } from "./address";

export { ConfigError, parseAddress, type Env, type ListenAddress };

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
  /** False with CAIRN_BROWSER=off (alias MINIO_BROWSER): no console port, no browser redirect. */
  console: boolean;
  /** CAIRN_ACCESS_LOG: a file to append JSON lines to, `-` for stdout; null (the default): no log. */
  accessLog: string | null;
}

/** What the CLI parsed; every field optional so env and defaults can fill in. */
export interface ServerFlags {
  positionals: string[];
  address?: string;
  consoleAddress?: string;
  domains?: string[];
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
  console: z.enum(["on", "off"], { message: "CAIRN_BROWSER / MINIO_BROWSER must be on or off" }).transform((v) => v === "on"),
  accessLog: z.string().trim().transform((v) => (v === "" || v.toLowerCase() === "off" ? null : v)),
}).refine((c) => !c.console || c.address.port === 0 || c.address.port !== c.consoleAddress.port, {
  message: "the S3 address and the console address must use different ports",
  path: ["consoleAddress"],
});

/** Problems are reported under the names a user sets, not the schema's field names. */
const SETTING_NAMES: Record<string, string> = {
  driveArgs: "drives",
  address: "--address / CAIRN_ADDRESS",
  consoleAddress: "--console-address / CAIRN_CONSOLE_ADDRESS",
  region: "CAIRN_REGION",
  rootUser: "CAIRN_ROOT_USER / MINIO_ROOT_USER",
  rootPassword: "CAIRN_ROOT_PASSWORD / MINIO_ROOT_PASSWORD",
  shutdownTimeoutMs: "CAIRN_SHUTDOWN_TIMEOUT_MS",
};

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
    address: s3AddressText(flags.address, env),
    consoleAddress: consoleAddressText(flags.consoleAddress, env),
    domains,
    region: first(env, "CAIRN_REGION", "MINIO_REGION", "MINIO_SITE_REGION") ?? "us-east-1",
    rootUser: user ?? "minioadmin",
    rootPassword: password ?? "minioadmin",
    defaultCredentials: user === undefined,
    shutdownTimeoutMs: first(env, "CAIRN_SHUTDOWN_TIMEOUT_MS") ?? "10000",
    console: (first(env, "CAIRN_BROWSER", "MINIO_BROWSER") ?? "on").toLowerCase(),
    accessLog: first(env, "CAIRN_ACCESS_LOG") ?? "",
  };
  try {
    return schema.parse(raw);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if (err instanceof z.ZodError) {
      const setting = (path: PropertyKey[]) => SETTING_NAMES[String(path[0])] ?? (path.join(".") || "config");
      throw new ConfigError(err.issues.map((i) => `${setting(i.path)}: ${i.message}`).join("; "));
    }
    throw err;
  }
}
