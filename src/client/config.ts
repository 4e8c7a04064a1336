/**
 * Aliases: `~/.cairn/config.json` (0600; `CAIRN_CONFIG_DIR` relocates it) plus the environment
 * overrides `CAIRN_HOST_<alias>` / `MC_HOST_<alias>` = `https://ACCESS:SECRET@host`, which win
 * over the file, as mc's MC_HOST_* do.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ClientError } from "./errors";

export interface AliasConfig {
  url: string;
  accessKey: string;
  secretKey: string;
  region: string;
}

const aliasSchema = z.object({
  url: z.string(),
  accessKey: z.string(),
  secretKey: z.string(),
  region: z.string().default("us-east-1"),
});
const configSchema = z.object({ version: z.literal(1).default(1), aliases: z.record(z.string(), aliasSchema).default({}) });
export type ConfigFile = z.output<typeof configSchema>;

const ALIAS_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function configDir(): string {
  return process.env.CAIRN_CONFIG_DIR ?? join(homedir(), ".cairn");
}

export function configPath(): string {
  return join(configDir(), "config.json");
}

export function loadConfig(): ConfigFile {
  const path = configPath();
  if (!existsSync(path)) return { version: 1, aliases: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ClientError("local", `cannot read ${path}: not valid JSON`, { cause });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ClientError("local", `cannot read ${path}: unexpected shape`);
  return parsed.data;
}

/** Written to a temp file with mode 0600 and renamed: secrets never sit in a world-readable file. */
export function saveConfig(config: ConfigFile): void {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `config.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, configPath());
}

export function validateAliasName(name: string): void {
  if (!ALIAS_NAME.test(name)) throw new ClientError("usage", `invalid alias name '${name}': use letters, digits, '-' and '_'`);
}

/** Checks an endpoint URL and drops a trailing slash. */
export function normalizeEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClientError("usage", `invalid URL '${url}'`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ClientError("usage", `URL must be http or https: '${url}'`);
  if (parsed.username || parsed.password) throw new ClientError("usage", "put the keys in ACCESS SECRET, not in the URL");
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
}

/** `https://ACCESS:SECRET@host[:port]` → alias config (keys are percent-decoded). */
export function parseHostEnv(value: string, name: string): AliasConfig {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ClientError("alias", `environment alias '${name}' is not a URL`);
  }
  if (!parsed.username) throw new ClientError("alias", `environment alias '${name}' has no ACCESS:SECRET@ part`);
  const url = `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
  return { url, accessKey: decodeURIComponent(parsed.username), secretKey: decodeURIComponent(parsed.password), region: "us-east-1" };
}

function envAlias(name: string): AliasConfig | null {
  const value = process.env[`CAIRN_HOST_${name}`] ?? process.env[`MC_HOST_${name}`];
  return value ? parseHostEnv(value, name) : null;
}

/** The alias's settings, or null when neither the environment nor the file names it. */
export function findAlias(name: string, config: ConfigFile = loadConfig()): AliasConfig | null {
  // Own entries only: the table is a parsed JSON object, and `toString` is not an alias.
  return envAlias(name) ?? (Object.hasOwn(config.aliases, name) ? config.aliases[name]! : null);
}

export function resolveAlias(name: string): AliasConfig {
  const found = findAlias(name);
  if (!found) throw new ClientError("alias", `unknown alias '${name}': add it with 'cairn alias set ${name} URL ACCESS SECRET'`);
  return found;
}

/** Aliases from the file and the environment (environment wins), sorted by name. */
export function listAliases(): [string, AliasConfig & { source: "env" | "config" }][] {
  const out = new Map<string, AliasConfig & { source: "env" | "config" }>();
  for (const [name, a] of Object.entries(loadConfig().aliases)) out.set(name, { ...a, source: "config" });
  for (const key of Object.keys(process.env)) {
    const m = /^(?:CAIRN|MC)_HOST_(.+)$/.exec(key);
    if (m?.[1]) out.set(m[1], { ...envAlias(m[1])!, source: "env" });
  }
  return [...out.entries()].sort(([a], [b]) => a.localeCompare(b));
}
