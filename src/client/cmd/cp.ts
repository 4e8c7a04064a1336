/**
 * `cp SOURCE... TARGET`: files and objects in any direction; `-r` copies trees; large objects go
 * multipart with parallel parts; `--continue` resumes an interrupted multipart upload.
 */
import { existsSync, statSync } from "node:fs";
import { basename } from "node:path";
import { childRef, requireLocalExists, walk } from "../entries";
import { ClientError } from "../errors";
import { parseLocation, type Location } from "../location";
import { requireBucket } from "../ops";
import { Progress } from "../progress";
import { refName, transfer, type ObjRef, type TransferOptions } from "../transfer";
import { pool } from "../util";
import { usage } from "./common";

export interface CpOptions {
  recursive?: boolean;
  transfer: Omit<TransferOptions, "progress">;
  progress: Progress;
  /** Objects copied at once in a recursive copy. */
  workers: number;
}

/** Is the target a container (directory, bucket, prefix ending in '/')? */
function isContainer(loc: Location, manySources: boolean): boolean {
  if (loc.kind === "local") return manySources || loc.path.endsWith("/") || (existsSync(loc.path) && statSync(loc.path).isDirectory());
  return manySources || loc.key === "" || loc.key.endsWith("/");
}

function leafName(loc: Location): string {
  return loc.kind === "local" ? basename(loc.path) : loc.key.slice(loc.key.replace(/\/$/, "").lastIndexOf("/") + 1).replace(/\/$/, "");
}

async function checkReadable(loc: Location): Promise<void> {
  if (loc.kind === "local") requireLocalExists(loc.path);
  else if (!loc.bucket) throw usage(`name a bucket: ${loc.client.alias}/BUCKET`);
  else await requireBucket(loc.client, loc.bucket);
}

async function copyOne(src: ObjRef, dst: ObjRef, opts: CpOptions): Promise<void> {
  const size = await transfer(src, dst, { ...opts.transfer, progress: opts.progress });
  opts.progress.finished({ source: refName(src), target: refName(dst), size });
}

async function copyTree(src: Location, dst: Location, opts: CpOptions): Promise<void> {
  const entries = [];
  for await (const e of walk(src)) entries.push(e);
  // A directory source lands inside the target under its own name, as `cp -r dir target/` does.
  const into = src.kind === "local" ? statSync(src.path).isDirectory() : true;
  const prefix = into && leafName(src) ? `${leafName(src)}/` : "";
  for (const e of entries) opts.progress.expect(e.size);
  await pool(entries, opts.workers, (e) => copyOne(e.ref, childRef(dst, prefix + e.rel), opts));
}

export async function cp(args: string[], opts: CpOptions): Promise<void> {
  if (args.length < 2) throw usage("usage: cairn cp [-r] SOURCE... TARGET");
  const sources = args.slice(0, -1).map(parseLocation);
  const target = parseLocation(args.at(-1)!);
  if (target.kind === "remote") {
    if (!target.bucket) throw usage(`name a bucket: ${target.client.alias}/BUCKET`);
    await requireBucket(target.client, target.bucket);
  }
  const container = isContainer(target, sources.length > 1);
  for (const src of sources) {
    await checkReadable(src);
    const srcIsDir = src.kind === "local" ? statSync(src.path).isDirectory() : src.key === "" || src.key.endsWith("/");
    if (srcIsDir) {
      if (!opts.recursive) throw usage(`${args[0]} is a directory or prefix: use -r`);
      await copyTree(src, target, opts);
      continue;
    }
    const ref = src as ObjRef;
    const dst = container ? childRef(target, leafName(src)) : (target as ObjRef);
    if (src.kind === "local") opts.progress.expect(statSync(src.path).size);
    try {
      await copyOne(ref, dst, opts);
    } catch (err) {
      if (err instanceof ClientError && err.kind === "no-key" && opts.recursive && src.kind === "remote") {
        await copyTree({ ...src, key: `${src.key}/` }, target, opts);
      } else throw err;
    }
  }
}
