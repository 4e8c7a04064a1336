/**
 * `mirror SOURCE TARGET` (one-way sync: --overwrite, --remove, --dry-run, --exclude, parallel
 * workers, --watch for a local source) and `diff SOURCE TARGET`.
 */
import { rmSync, watch } from "node:fs";
import { collect, childRef, dirPrefix, requireLocalExists, type Entry } from "../entries";
import { compareTrees, type Difference } from "../compare";
import { ClientError, isClientError } from "../errors";
import { parseLocation, type Location } from "../location";
import { deleteObjects, requireBucket } from "../ops";
import type { Progress } from "../progress";
import { refName, transfer, type TransferOptions } from "../transfer";
import { pool } from "../util";
import { out, usage } from "./common";

function dirPrefixed(target: Extract<Location, { kind: "remote" }>, rel: string): string {
  return dirPrefix(target.key) + rel;
}

async function open(arg: string, opts: { create?: boolean }): Promise<Location> {
  const loc = parseLocation(arg);
  if (loc.kind === "remote") {
    if (!loc.bucket) throw usage(`name a bucket: ${loc.client.alias}/BUCKET`);
    await requireBucket(loc.client, loc.bucket);
  } else if (!opts.create) requireLocalExists(loc.path);
  return loc;
}

async function plan(source: Location, target: Location, exclude: string[]): Promise<Difference[]> {
  const globs = exclude.map((p) => new Bun.Glob(p));
  const keep = (rel: string) => !globs.some((g) => g.match(rel) || g.match(rel.slice(rel.lastIndexOf("/") + 1)));
  const [s, t] = await Promise.all([collect(source), target.kind === "local" ? collectOrEmpty(target) : collect(target)]);
  for (const map of [s, t]) for (const rel of [...map.keys()]) if (!keep(rel)) map.delete(rel);
  return compareTrees(s, t);
}

async function collectOrEmpty(loc: Location): Promise<Map<string, Entry>> {
  try {
    return await collect(loc);
  } catch (err) {
    if (err instanceof ClientError && err.kind === "local") return new Map();
    throw err;
  }
}

export async function diff(args: string[], opts: { json?: boolean }): Promise<number> {
  if (args.length !== 2) throw usage("usage: cairn diff SOURCE TARGET");
  const [source, target] = [await open(args[0]!, {}), await open(args[1]!, {})];
  const differences = await plan(source, target, []);
  for (const d of differences) {
    const status = d.kind === "only-source" ? "only-in-source" : d.kind === "only-target" ? "only-in-target" : `differs-${d.by}`;
    if (opts.json) out(JSON.stringify({ status, name: d.rel }));
    else out(`${d.kind === "only-source" ? "<" : d.kind === "only-target" ? ">" : "!"} ${d.rel}  (${status})`);
  }
  return differences.length;
}

export interface MirrorOptions {
  overwrite?: boolean;
  remove?: boolean;
  dryRun?: boolean;
  exclude: string[];
  workers: number;
  watch?: boolean;
  transfer: Omit<TransferOptions, "progress">;
  progress: Progress;
}

async function removeAll(target: Location, rels: string[], opts: MirrorOptions): Promise<void> {
  if (target.kind === "local") {
    for (const rel of rels) {
      const ref = childRef(target, rel);
      if (ref.kind === "local") rmSync(ref.path, { force: true });
    }
  } else {
    for (let i = 0; i < rels.length; i += 1000) {
      const keys = rels.slice(i, i + 1000).map((rel) => ({ key: dirPrefixed(target, rel) }));
      const failed = await deleteObjects(target.client, target.bucket, keys);
      if (failed.length > 0) throw new ClientError("s3", `could not remove ${failed[0]!.key}: ${failed[0]!.code}`);
    }
  }
  for (const rel of rels) opts.progress.note({ action: "remove", target: refName(childRef(target, rel)) });
}

/** One pass; returns how many objects were copied or removed. */
async function mirrorOnce(source: Location, target: Location, opts: MirrorOptions): Promise<number> {
  const differences = await plan(source, target, opts.exclude);
  const copies = differences.filter((d) => d.kind === "only-source" || (d.kind === "differ" && opts.overwrite));
  const skipped = differences.filter((d) => d.kind === "differ" && !opts.overwrite);
  const removals = opts.remove ? differences.filter((d) => d.kind === "only-target").map((d) => d.rel) : [];
  for (const d of skipped) opts.progress.note({ action: "skip (differs; use --overwrite)", target: d.rel });
  if (opts.dryRun) {
    for (const d of copies) opts.progress.note({ action: "would copy", target: d.rel });
    for (const rel of removals) opts.progress.note({ action: "would remove", target: rel });
    return copies.length + removals.length;
  }
  for (const d of copies) if (d.kind !== "only-target") opts.progress.expect(d.source.size);
  // As mc does, one object that fails (unreadable file, refused key) does not stop the rest; the
  // pass still ends in an error, after every other copy and removal was tried.
  const failures: { rel: string; err: unknown }[] = [];
  await pool(copies, opts.workers, async (d) => {
    if (d.kind === "only-target") return;
    const dst = childRef(target, d.rel);
    try {
      const size = await transfer(d.source.ref, dst, { ...opts.transfer, progress: opts.progress });
      opts.progress.finished({ source: refName(d.source.ref), target: refName(dst), size });
    } catch (err) {
      if (isClientError(err, "no-bucket")) throw err; // every other copy would fail too
      failures.push({ rel: d.rel, err });
      opts.progress.failed({ target: refName(dst), message: err instanceof Error ? err.message : String(err) });
    }
  });
  if (removals.length > 0) await removeAll(target, removals, opts);
  if (failures.length > 0) {
    throw new ClientError("s3", `${failures.length} of ${copies.length} copies failed (first: ${failures[0]!.rel})`, {
      cause: failures[0]!.err,
    });
  }
  return copies.length + removals.length;
}

export async function mirror(args: string[], opts: MirrorOptions): Promise<void> {
  if (args.length !== 2) throw usage("usage: cairn mirror [--overwrite] [--remove] [--dry-run] [--exclude GLOB] [--watch] SOURCE TARGET");
  const source = await open(args[0]!, {});
  const target = await open(args[1]!, { create: true });
  if (!opts.watch) {
    await mirrorOnce(source, target, opts);
    return;
  }
  if (source.kind !== "local") throw usage("--watch needs a local source");
  await watchLoop(source, target, opts);
}

/** A first pass, then another shortly after each change to the local tree, until SIGINT/SIGTERM. */
async function watchLoop(source: Extract<Location, { kind: "local" }>, target: Location, opts: MirrorOptions): Promise<void> {
  // Watch before the first pass: a file written during it must still trigger a pass.
  let dirty = true;
  const watcher = watch(source.path, { recursive: true }, () => {
    dirty = true;
  });
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    while (!stop) {
      if (dirty) {
        dirty = false;
        await mirrorOnce(source, target, opts);
      }
      // Also lets a burst of writes settle before copying half-written files.
      await Bun.sleep(250);
    }
  } finally {
    watcher.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
