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

/** One client per alias and settings, so a server-side copy can tell "same server" by identity. */
const clients = new Map<string, S3Client>();

export function clientFor(alias: string, config: ConfigFile = loadConfig()): S3Client | null {
  const cfg = findAlias(alias, config);
  if (!cfg) return null;
  const id = JSON.stringify([alias, cfg]);
  const existing = clients.get(id);
  if (existing) return existing;
  const client = new S3Client(alias, cfg);
  clients.set(id, client);
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
