/**
 * A location seen as a tree of objects: relative names (with '/' separators), sizes, times and,
 * for remote objects, ETags. Local directories and remote prefixes look the same to
 * cp -r, mirror, diff, du and find.
 */
import { readdir, stat } from "node:fs/promises";
import { existsSync, statSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { ClientError } from "./errors";
import { listAll, cmp } from "./list";
import type { Location } from "./location";
import type { ObjRef } from "./transfer";

export interface Entry {
  rel: string;
  size: number;
  mtime: Date;
  etag?: string;
  ref: ObjRef;
}

/** The remote prefix a location names as a directory: "" (whole bucket) or ending in '/'. */
export function dirPrefix(key: string): string {
  return key === "" || key.endsWith("/") ? key : `${key}/`;
}

export function requireLocalExists(path: string): void {
  if (existsSync(path)) return;
  const first = path.split("/")[0] ?? path;
  if (!path.startsWith("/") && !path.startsWith(".") && path.includes("/") && !existsSync(first)) {
    throw new ClientError("alias", `unknown alias '${first}' (and no local path '${path}'): add it with 'cairn alias set'`);
  }
  throw new ClientError("local", `no such file or directory: ${path}`);
}

async function* walkLocal(root: string): AsyncGenerator<Entry> {
  requireLocalExists(root);
  const st = statSync(root);
  if (!st.isDirectory()) {
    yield { rel: basename(root), size: st.size, mtime: st.mtime, ref: { kind: "local", path: root } };
    return;
  }
  const found = await readdir(root, { recursive: true, withFileTypes: true });
  const files = found
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .map((path) => ({ path, rel: relative(root, path).split(sep).join("/") }))
    .filter((f) => !/\.cairn-\d+\.tmp$/.test(f.rel))
    .sort((a, b) => cmp(a.rel, b.rel));
  for (const f of files) {
    const s = await stat(f.path);
    yield { rel: f.rel, size: s.size, mtime: s.mtime, ref: { kind: "local", path: f.path } };
  }
}

async function* walkRemote(loc: Extract<Location, { kind: "remote" }>): AsyncGenerator<Entry> {
  if (!loc.bucket) throw new ClientError("usage", `name a bucket: ${loc.client.alias}/BUCKET`);
  const prefix = dirPrefix(loc.key);
  // `alias/bucket/name` may be one object as well as a prefix: list both, like a local path.
  for await (const o of listAll(loc.client, { bucket: loc.bucket, prefix: loc.key })) {
    const ref: ObjRef = { kind: "remote", client: loc.client, bucket: loc.bucket, key: o.key };
    if (o.key === loc.key && loc.key !== "") {
      yield { rel: loc.key.slice(loc.key.lastIndexOf("/") + 1), size: o.size, mtime: o.lastModified, etag: o.etag, ref };
    } else if (o.key.startsWith(prefix)) {
      yield { rel: o.key.slice(prefix.length), size: o.size, mtime: o.lastModified, etag: o.etag, ref };
    }
  }
}

/** Every object under the location, sorted by relative name. */
export function walk(loc: Location): AsyncGenerator<Entry> {
  return loc.kind === "local" ? walkLocal(loc.path) : walkRemote(loc);
}

export async function collect(loc: Location): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  for await (const e of walk(loc)) out.set(e.rel, e);
  return out;
}

/** The object a relative name maps to inside a location (a directory or prefix). */
export function childRef(loc: Location, rel: string): ObjRef {
  if (loc.kind === "local") return { kind: "local", path: join(loc.path, ...rel.split("/")) };
  return { kind: "remote", client: loc.client, bucket: loc.bucket, key: dirPrefix(loc.key) + rel };
}
