/**
 * ListMultipartUploads: every set's drives are asked which uploads they hold; each upload's
 * record is read from the first drive that has it. Ordered by key, then upload id (ids are
 * UUIDv7, so this is initiation order). Open uploads are few, so this is not lazy.
 */
import { compareKeys } from "../lib/index";
import type { ListUploadsOptions, ListUploadsResult, UploadSummary } from "../object/index";
import { listSysDirQuiet, type UploadRecord } from "./multipart-store";
import type { ErasureSet } from "./set";

async function uploadsOfSet(set: ErasureSet, bucket: string): Promise<UploadRecord[]> {
  const where = new Map<string, number[]>();
  await Promise.all(
    set.drives.map(async (d, pos) => {
      try {
        for (const h of await listSysDirQuiet(d, "multipart")) {
          for (const id of await listSysDirQuiet(d, `multipart/${h}`)) {
            const p = `multipart/${h}/${id}`;
            where.set(p, [...(where.get(p) ?? []), pos]);
          }
        }
      } catch {
        // an unreadable drive contributes nothing
      }
    }),
  );
  const out: UploadRecord[] = [];
  for (const [path, positions] of where) {
    for (const pos of positions) {
      try {
        const rec = JSON.parse(new TextDecoder().decode(await set.drives[pos]!.readSysFile(`${path}/upload.json`))) as UploadRecord;
        if (rec.bucket === bucket) out.push(rec);
        break;
      } catch {
        continue;
      }
    }
  }
  return out;
}

function after(u: UploadRecord, opts: ListUploadsOptions): boolean {
  if (opts.keyMarker === undefined) return true;
  const c = compareKeys(u.key, opts.keyMarker);
  if (c !== 0) return c > 0;
  return opts.uploadIdMarker !== undefined && u.uploadId > opts.uploadIdMarker;
}

export async function listMultipartUploads(
  sets: readonly ErasureSet[],
  bucket: string,
  opts: ListUploadsOptions = {},
): Promise<ListUploadsResult> {
  const prefix = opts.prefix ?? "";
  const max = opts.maxUploads ?? 1000;
  const all = (await Promise.all(sets.map((s) => uploadsOfSet(s, bucket))))
    .flat()
    .filter((u) => u.key.startsWith(prefix) && after(u, opts))
    .sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));
  const uploads: UploadSummary[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let lastKey: string | undefined;
  let lastId: string | undefined;
  for (const u of all) {
    const i = opts.delimiter ? u.key.indexOf(opts.delimiter, prefix.length) : -1;
    const cp = i >= 0 ? u.key.slice(0, i + opts.delimiter!.length) : null;
    if (cp !== null && prefixes[prefixes.length - 1] === cp) continue;
    if (uploads.length + prefixes.length >= max) {
      truncated = true;
      break;
    }
    if (cp !== null) {
      prefixes.push(cp);
      lastKey = cp;
      lastId = undefined;
    } else {
      uploads.push({ key: u.key, uploadId: u.uploadId, initiated: new Date(u.initiated), storageClass: u.storageClass });
      lastKey = u.key;
      lastId = u.uploadId;
    }
  }
  const out: ListUploadsResult = { uploads, prefixes, isTruncated: truncated };
  if (truncated && lastKey !== undefined) {
    out.nextKeyMarker = lastKey;
    if (lastId !== undefined) out.nextUploadIdMarker = lastId;
  }
  return out;
}
