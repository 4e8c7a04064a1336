/**
 * Command arguments name either a local path or `ALIAS/BUCKET/KEY…` (mc's convention): the first
 * segment is an alias when the config or the environment knows it; absolute and ./ paths are
 * always local.
 */
import { findAlias, loadConfig, type ConfigFile } from "./config";
import { S3Client } from "./http";

export type Location =
  | { kind: "local"; path: string }
  | { kind: "remote"; client: S3Client; bucket: string; key: string };

const clients = new Map<string, S3Client>();
let cachedConfig: ConfigFile | null = null;

export function clientFor(alias: string): S3Client | null {
  const existing = clients.get(alias);
  if (existing) return existing;
  cachedConfig ??= loadConfig();
  const cfg = findAlias(alias, cachedConfig);
  if (!cfg) return null;
  const client = new S3Client(alias, cfg);
  clients.set(alias, client);
  return client;
}

export function parseLocation(arg: string): Location {
  if (/^(\/|\.\.?(\/|$)|~)/.test(arg)) return { kind: "local", path: arg };
  const [alias = "", bucket = "", ...rest] = arg.split("/");
  const client = clientFor(alias);
  if (!client) return { kind: "local", path: arg };
  return { kind: "remote", client, bucket, key: rest.join("/") };
}

export function describe(loc: Location): string {
  if (loc.kind === "local") return loc.path;
  return [loc.client.alias, loc.bucket, loc.key].filter((s) => s !== "").join("/");
}
