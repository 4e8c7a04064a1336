/**
 * diff/mirror's comparison of two trees: only in source, only in target, or differing by size
 * or content. Content is compared by ETag; a local file's "ETag" is its MD5 (or, against a
 * multipart ETag "md5-N", the MD5 of its N part MD5s, guessing the part size the way uploaders
 * choose it: equal parts rounded to a MiB).
 */
import { cmp } from "./list";
import type { Entry } from "./entries";

export type Difference =
  | { kind: "only-source"; rel: string; source: Entry }
  | { kind: "only-target"; rel: string; target: Entry }
  | { kind: "differ"; rel: string; source: Entry; target: Entry; by: "size" | "etag" };

async function md5Range(path: string, start: number, end: number): Promise<Uint8Array> {
  const hasher = new Bun.CryptoHasher("md5");
  for await (const chunk of Bun.file(path).slice(start, end).stream()) hasher.update(chunk);
  return hasher.digest() as Uint8Array;
}

/** The ETag this local file would have for the given remote ETag's form. */
async function localEtag(path: string, size: number, remote: string): Promise<string> {
  const m = /^[0-9a-f]{32}-(\d+)$/i.exec(remote);
  if (!m) return Buffer.from(await md5Range(path, 0, size)).toString("hex");
  const parts = Number(m[1]);
  const mib = 1 << 20;
  const partSize = Math.ceil(size / parts / mib) * mib;
  const outer = new Bun.CryptoHasher("md5");
  for (let start = 0; start < size; start += partSize) outer.update(await md5Range(path, start, Math.min(size, start + partSize)));
  return `${outer.digest("hex")}-${parts}`;
}

async function etagOf(e: Entry, other: Entry): Promise<string | null> {
  if (e.etag) return e.etag.toLowerCase();
  if (e.ref.kind === "local" && other.etag) return localEtag(e.ref.path, e.size, other.etag);
  return null;
}

/** Same content? Sizes first; ETags when both sides have (or can compute) one. */
export async function sameContent(a: Entry, b: Entry): Promise<"size" | "etag" | null> {
  if (a.size !== b.size) return "size";
  const [ea, eb] = [await etagOf(a, b), await etagOf(b, a)];
  if (ea === null || eb === null) return null;
  return ea === eb ? null : "etag";
}

export async function compareTrees(source: Map<string, Entry>, target: Map<string, Entry>): Promise<Difference[]> {
  const out: Difference[] = [];
  const names = [...new Set([...source.keys(), ...target.keys()])].sort(cmp);
  for (const rel of names) {
    const s = source.get(rel);
    const t = target.get(rel);
    if (s && !t) out.push({ kind: "only-source", rel, source: s });
    else if (t && !s) out.push({ kind: "only-target", rel, target: t });
    else if (s && t) {
      const by = await sameContent(s, t);
      if (by) out.push({ kind: "differ", rel, source: s, target: t, by });
    }
  }
  return out;
}
