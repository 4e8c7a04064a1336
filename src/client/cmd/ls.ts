/** `ls` (buckets, one level or recursive, versions, --json), `find` and `du`. */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { requireLocalExists, walk } from "../entries";
import { refName } from "../transfer";
import { listObjects, listVersions, type ListItem } from "../list";
import { parseLocation } from "../location";
import { listBuckets, requireBucket } from "../ops";
import { formatSize, parseAge, parseSize } from "../util";
import { out, timeText, type Remote } from "./common";

export interface LsOptions {
  recursive?: boolean;
  versions?: boolean;
  json?: boolean;
}

function row(o: { json?: boolean; name: string; size: number; time: Date | null; etag?: string; extra?: Record<string, unknown> }): void {
  if (o.json) {
    out(JSON.stringify({ key: o.name, size: o.size, lastModified: o.time?.toISOString() ?? null, etag: o.etag, ...o.extra }));
    return;
  }
  const when = o.time ? `[${timeText(o.time)}]` : " ".repeat(25);
  out(`${when} ${formatSize(o.size).padStart(9)} ${o.name}`);
}

function lsLocal(path: string, opts: LsOptions): void {
  requireLocalExists(path);
  const st = statSync(path);
  const names = st.isDirectory() ? readdirSync(path).sort() : [path];
  for (const name of names) {
    const s = statSync(st.isDirectory() ? join(path, name) : name);
    row({ json: opts.json, name: s.isDirectory() ? `${name}/` : name, size: s.isDirectory() ? 0 : s.size, time: s.mtime });
  }
}

/** Lists `key` as a directory when it is only a prefix (mc's `ls alias/bucket/dir`). */
async function resolvePrefix(loc: Remote): Promise<string> {
  if (loc.key === "" || loc.key.endsWith("/")) return loc.key;
  const seen: ListItem[] = [];
  for await (const item of listObjects(loc.client, { bucket: loc.bucket, prefix: loc.key, delimiter: "/" })) {
    seen.push(item);
    if (seen.length > 2) break;
  }
  const exact = seen.some((i) => i.kind === "object" && i.object.key === loc.key);
  const dir = seen.some((i) => i.kind === "prefix" && i.prefix === `${loc.key}/`);
  return dir && !exact ? `${loc.key}/` : loc.key;
}

async function lsRemote(loc: Remote, opts: LsOptions): Promise<void> {
  if (!loc.bucket) {
    for (const b of await listBuckets(loc.client)) row({ json: opts.json, name: `${b.name}/`, size: 0, time: b.created });
    return;
  }
  await requireBucket(loc.client, loc.bucket);
  const prefix = await resolvePrefix(loc);
  const base = prefix.endsWith("/") ? prefix : prefix.slice(0, prefix.lastIndexOf("/") + 1);
  if (opts.versions) {
    for await (const v of listVersions(loc.client, { bucket: loc.bucket, prefix })) {
      const extra = { versionId: v.versionId, isLatest: v.isLatest, deleteMarker: v.deleteMarker };
      const name = opts.json ? v.key : `${v.key.slice(base.length)} v=${v.versionId}${v.isLatest ? " (latest)" : ""}${v.deleteMarker ? " DEL" : ""}`;
      row({ json: opts.json, name, size: v.size, time: v.lastModified, etag: v.etag, extra });
    }
    return;
  }
  const delimiter = opts.recursive ? undefined : "/";
  for await (const item of listObjects(loc.client, { bucket: loc.bucket, prefix, delimiter })) {
    if (item.kind === "prefix") row({ json: opts.json, name: opts.json ? item.prefix : item.prefix.slice(base.length), size: 0, time: null, extra: { type: "prefix" } });
    else row({ json: opts.json, name: opts.json ? item.object.key : item.object.key.slice(base.length), size: item.object.size, time: item.object.lastModified, etag: item.object.etag });
  }
}

export async function ls(target: string, opts: LsOptions): Promise<void> {
  const loc = parseLocation(target);
  if (loc.kind === "local") lsLocal(loc.path, opts);
  else await lsRemote(loc, opts);
}

export interface FindOptions {
  name?: string;
  larger?: string;
  smaller?: string;
  olderThan?: string;
  newerThan?: string;
  json?: boolean;
}

/** Objects under `target` matching every given filter; prints their full names. */
export async function find(target: string, opts: FindOptions): Promise<number> {
  const loc = parseLocation(target);
  if (loc.kind === "remote" && loc.bucket) await requireBucket(loc.client, loc.bucket);
  const glob = opts.name ? new Bun.Glob(opts.name) : null;
  const larger = opts.larger ? parseSize(opts.larger) : null;
  const smaller = opts.smaller ? parseSize(opts.smaller) : null;
  const now = Date.now();
  const older = opts.olderThan ? now - parseAge(opts.olderThan) : null;
  const newer = opts.newerThan ? now - parseAge(opts.newerThan) : null;
  let found = 0;
  for await (const e of walk(loc)) {
    const base = e.rel.slice(e.rel.lastIndexOf("/") + 1);
    if (glob && !glob.match(base) && !glob.match(e.rel)) continue;
    if ((larger !== null && e.size <= larger) || (smaller !== null && e.size >= smaller)) continue;
    if ((older !== null && e.mtime.getTime() > older) || (newer !== null && e.mtime.getTime() < newer)) continue;
    const name = refName(e.ref);
    found++;
    if (opts.json) out(JSON.stringify({ key: name, size: e.size, lastModified: e.mtime.toISOString() }));
    else out(name);
  }
  return found;
}

/** Total size and object count under `target`; with depth 1, per first-level prefix too. */
export async function du(target: string, opts: { depth?: number; json?: boolean }): Promise<void> {
  const loc = parseLocation(target);
  if (loc.kind === "remote" && loc.bucket) await requireBucket(loc.client, loc.bucket);
  const groups = new Map<string, { size: number; count: number }>();
  const total = { size: 0, count: 0 };
  for await (const e of walk(loc)) {
    total.size += e.size;
    total.count++;
    const slash = e.rel.indexOf("/");
    if ((opts.depth ?? 0) >= 1 && slash >= 0) {
      const g = groups.get(e.rel.slice(0, slash + 1)) ?? { size: 0, count: 0 };
      g.size += e.size;
      g.count++;
      groups.set(e.rel.slice(0, slash + 1), g);
    }
  }
  const print = (name: string, g: { size: number; count: number }) =>
    out(opts.json ? JSON.stringify({ prefix: name, size: g.size, objects: g.count }) : `${formatSize(g.size).padStart(9)} ${String(g.count).padStart(7)} objects\t${name}`);
  for (const [name, g] of [...groups.entries()].sort()) print(`${target.replace(/\/$/, "")}/${name}`, g);
  print(target, total);
}
