/** `alias set NAME URL ACCESS SECRET`, `alias ls [NAME]`, `alias rm NAME`. */
import { listAliases, loadConfig, normalizeEndpoint, saveConfig, validateAliasName } from "../config";
import { ClientError } from "../errors";
import { out, usage } from "./common";

export function aliasSet(args: string[], opts: { region?: string }): void {
  const [name, url, access, secret] = args;
  if (!name || !url || access === undefined || secret === undefined || args.length > 4) throw usage("usage: cairn alias set NAME URL ACCESS SECRET");
  validateAliasName(name);
  const config = loadConfig();
  config.aliases[name] = { url: normalizeEndpoint(url), accessKey: access, secretKey: secret, region: opts.region ?? "us-east-1" };
  saveConfig(config);
  out(`Added alias '${name}' (${config.aliases[name]!.url}).`);
}

export function aliasList(args: string[], opts: { json?: boolean }): void {
  const all = listAliases().filter(([name]) => args.length === 0 || args.includes(name));
  if (args.length > 0 && all.length === 0) throw new ClientError("alias", `unknown alias '${args[0]}'`);
  for (const [name, a] of all) {
    // The secret is never printed: config listings end up in logs and screenshots.
    if (opts.json) out(JSON.stringify({ alias: name, url: a.url, accessKey: a.accessKey, region: a.region, source: a.source }));
    else out(`${name}\n  URL       : ${a.url}\n  AccessKey : ${a.accessKey}\n  Region    : ${a.region}${a.source === "env" ? "\n  Source    : environment" : ""}`);
  }
}

export function aliasRemove(args: string[]): void {
  const [name] = args;
  if (!name || args.length !== 1) throw usage("usage: cairn alias rm NAME");
  const config = loadConfig();
  if (!Object.hasOwn(config.aliases, name)) throw new ClientError("alias", `unknown alias '${name}'`);
  delete config.aliases[name];
  saveConfig(config);
  out(`Removed alias '${name}'.`);
}
