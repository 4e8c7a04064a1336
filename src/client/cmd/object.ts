/** `cat`, `head`, `stat`, `tag set|ls|rm`, `share download|upload`. */
import { statSync } from "node:fs";
import { requireLocalExists } from "../entries";
import { parseLocation } from "../location";
import { getObject, getTags, headObject, requireBucket, setTags } from "../ops";
import { formatSize, parseAge } from "../util";
import { ClientError } from "../errors";
import { out, writeOut, requireObject, requireRemote, timeText, usage } from "./common";

async function openStream(arg: string, versionId?: string): Promise<ReadableStream<Uint8Array>> {
  const loc = parseLocation(arg);
  if (loc.kind === "local") {
    requireLocalExists(loc.path);
    return Bun.file(loc.path).stream();
  }
  if (!loc.key) throw usage(`name an object: ${arg}/KEY`);
  await requireBucket(loc.client, loc.bucket);
  const res = await getObject(loc.client, { bucket: loc.bucket, key: loc.key, versionId });
  return res.body!;
}

/** Streams each object to stdout, honouring back-pressure (never the whole object in memory). */
export async function cat(args: string[], opts: { versionId?: string }): Promise<void> {
  if (args.length === 0) throw usage("usage: cairn cat TARGET...");
  for (const arg of args) {
    for await (const chunk of await openStream(arg, opts.versionId)) await writeOut(chunk);
  }
}

/** The first `lines` lines of each object; stops reading once they are out. */
export async function head(args: string[], opts: { lines: number }): Promise<void> {
  if (args.length === 0) throw usage("usage: cairn head [-n LINES] TARGET...");
  for (const arg of args) {
    let left = opts.lines;
    const stream = await openStream(arg);
    for await (const chunk of stream) {
      let end = 0;
      while (left > 0 && end < chunk.length) {
        const nl = chunk.indexOf(10, end);
        end = nl < 0 ? chunk.length : nl + 1;
        if (nl >= 0) left--;
      }
      await writeOut(chunk.subarray(0, end));
      if (left === 0) break;
    }
  }
}

export async function stat(args: string[], opts: { json?: boolean; versionId?: string }): Promise<void> {
  if (args.length === 0) throw usage("usage: cairn stat TARGET...");
  for (const arg of args) {
    const loc = parseLocation(arg);
    if (loc.kind === "local") {
      requireLocalExists(loc.path);
      const s = statSync(loc.path);
      if (opts.json) out(JSON.stringify({ name: loc.path, size: s.size, lastModified: s.mtime.toISOString(), type: s.isDirectory() ? "folder" : "file" }));
      else out(`Name      : ${loc.path}\nDate      : ${timeText(s.mtime)}\nSize      : ${formatSize(s.size)} (${s.size} bytes)\nType      : ${s.isDirectory() ? "folder" : "file"}`);
      continue;
    }
    if (!loc.bucket) throw usage(`name a bucket: ${loc.client.alias}/BUCKET`);
    await requireBucket(loc.client, loc.bucket);
    if (!loc.key) {
      out(opts.json ? JSON.stringify({ name: `${loc.client.alias}/${loc.bucket}`, type: "bucket" }) : `Name      : ${loc.client.alias}/${loc.bucket}\nType      : bucket`);
      continue;
    }
    const info = await headObject(loc.client, { bucket: loc.bucket, key: loc.key, versionId: opts.versionId });
    if (opts.json) {
      out(JSON.stringify({ name: arg, size: info.size, etag: info.etag, lastModified: info.lastModified.toISOString(), contentType: info.contentType, versionId: info.versionId, metadata: info.metadata }));
      continue;
    }
    const lines = [
      `Name      : ${arg}`,
      `Date      : ${timeText(info.lastModified)}`,
      `Size      : ${formatSize(info.size)} (${info.size} bytes)`,
      `ETag      : ${info.etag}`,
      `Type      : ${info.contentType ?? ""}`,
      ...(info.versionId ? [`VersionID : ${info.versionId}`] : []),
      ...Object.entries(info.metadata).map(([k, v], i) => `${i === 0 ? "Metadata  :" : "           "} ${k}: ${v}`),
    ];
    out(lines.join("\n"));
  }
}

function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of new URLSearchParams(text)) tags[pair[0]] = pair[1];
  if (Object.keys(tags).length === 0) throw usage(`no tags in '${text}': use "key1=value1&key2=value2"`);
  return tags;
}

export async function tag(args: string[], opts: { json?: boolean }): Promise<void> {
  const [action, target, spec] = args;
  if (!target || !["set", "ls", "rm"].includes(action!) || (action === "set") !== (spec !== undefined) || args.length > 3) {
    throw usage('usage: cairn tag set TARGET "k1=v1&k2=v2" | tag ls TARGET | tag rm TARGET');
  }
  const loc = requireRemote(target, { bucket: true });
  await requireBucket(loc.client, loc.bucket);
  const where = { bucket: loc.bucket, key: loc.key || undefined };
  if (action === "set") await setTags(loc.client, { ...where, tags: parseTags(spec!) });
  else if (action === "rm") await setTags(loc.client, { ...where, tags: {} });
  else {
    const tags = await getTags(loc.client, where).catch((err: unknown) => {
      // A bucket without tags answers NoSuchTagSet; that is an empty set, not a failure.
      if (err instanceof ClientError && err.code === "NoSuchTagSet") return {};
      throw err;
    });
    if (opts.json) out(JSON.stringify(tags));
    else for (const [k, v] of Object.entries(tags)) out(`${k}=${v}`);
  }
}

export function share(args: string[], opts: { expire: string }): void {
  const [action, target] = args;
  if (!target || !["download", "upload"].includes(action!) || args.length !== 2) throw usage("usage: cairn share download|upload [--expire 7d] ALIAS/BUCKET/KEY");
  const loc = requireObject(target);
  const seconds = Math.round(parseAge(opts.expire) / 1000);
  if (seconds < 1 || seconds > 604800) throw usage("--expire must be between 1s and 7d");
  const url = loc.client.presign({ method: action === "download" ? "GET" : "PUT", bucket: loc.bucket, key: loc.key, expiresIn: seconds });
  out(url.toString());
}
