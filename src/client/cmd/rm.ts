/**
 * `rm TARGET...`: one object, or with -r everything under a prefix; `--versions` removes every
 * version (delete markers too); `--older-than AGE` keeps newer objects; asks unless --force.
 */
import { dirPrefix } from "../entries";
import { ClientError } from "../errors";
import { listAll, listVersions } from "../list";
import { deleteObject, deleteObjects, requireBucket, statObject } from "../ops";
import { confirm, parseAge } from "../util";
import { out, requireRemote, usage, type Remote } from "./common";

export interface RmOptions {
  recursive?: boolean;
  versions?: boolean;
  olderThan?: string;
  force?: boolean;
  dryRun?: boolean;
  quiet?: boolean;
  json?: boolean;
}

interface Victim {
  key: string;
  versionId?: string;
}

async function collectVictims(loc: Remote, opts: RmOptions): Promise<Victim[]> {
  const cutoff = opts.olderThan ? Date.now() - parseAge(opts.olderThan) : Infinity;
  const prefix = opts.recursive ? dirPrefix(loc.key) : loc.key;
  const matches = (key: string) => (opts.recursive ? key.startsWith(prefix) : key === loc.key);
  const victims: Victim[] = [];
  if (opts.versions) {
    for await (const v of listVersions(loc.client, { bucket: loc.bucket, prefix })) {
      if (matches(v.key) && v.lastModified.getTime() <= cutoff) victims.push({ key: v.key, versionId: v.versionId });
    }
  } else if (opts.recursive || opts.olderThan) {
    for await (const o of listAll(loc.client, { bucket: loc.bucket, prefix })) {
      if (matches(o.key) && o.lastModified.getTime() <= cutoff) victims.push({ key: o.key });
    }
  } else {
    // S3 answers 204 for a missing key; a user who names one wants to hear it did not exist.
    if (!(await statObject(loc.client, { bucket: loc.bucket, key: loc.key }))) {
      throw new ClientError("no-key", `no such object: ${loc.client.alias}/${loc.bucket}/${loc.key}`);
    }
    victims.push({ key: loc.key });
  }
  return victims;
}

async function removeVictims(loc: Remote, victims: Victim[]): Promise<void> {
  if (victims.length === 1 && !victims[0]!.versionId) {
    await deleteObject(loc.client, { bucket: loc.bucket, key: victims[0]!.key });
    return;
  }
  for (let i = 0; i < victims.length; i += 1000) {
    const failed = await deleteObjects(loc.client, loc.bucket, victims.slice(i, i + 1000));
    if (failed.length > 0) throw new ClientError("s3", `could not remove ${loc.client.alias}/${loc.bucket}/${failed[0]!.key}: ${failed[0]!.code} (${failed.length} failed)`);
  }
}

/** Returns the number of objects (or versions) removed. */
export async function rm(args: string[], opts: RmOptions): Promise<number> {
  if (args.length === 0) throw usage("usage: cairn rm [-r] [--versions] [--older-than AGE] [--force] TARGET...");
  let removed = 0;
  for (const arg of args) {
    const loc = requireRemote(arg, { bucket: true });
    await requireBucket(loc.client, loc.bucket);
    if (!loc.key && !opts.recursive) throw usage(`${arg} is a bucket: use -r (or 'cairn rb')`);
    const victims = await collectVictims(loc, opts);
    const many = opts.recursive || opts.versions || victims.length > 1;
    if (many && !opts.force && !opts.dryRun && victims.length > 0) {
      const ok = await confirm(`Remove ${victims.length} object(s)${opts.versions ? " (all versions)" : ""} under ${arg}?`);
      if (!ok) throw new ClientError("aborted", `not removing ${victims.length} object(s) under ${arg}: confirm on a terminal or pass --force`);
    }
    for (const v of victims) {
      const name = `${loc.client.alias}/${loc.bucket}/${v.key}${v.versionId ? ` (version ${v.versionId})` : ""}`;
      if (opts.json) out(JSON.stringify({ status: "success", action: opts.dryRun ? "would-remove" : "remove", key: v.key, versionId: v.versionId }));
      else if (!opts.quiet) out(`${opts.dryRun ? "Would remove" : "Removed"} ${name}`);
    }
    if (!opts.dryRun && victims.length > 0) await removeVictims(loc, victims);
    removed += victims.length;
  }
  return removed;
}
