/**
 * Multipart uploads with parallel parts, resumable: an interrupted upload stays open on the
 * server, and `--continue` finds it (ListMultipartUploads + ListParts) and skips every part whose
 * ETag equals the MD5 of the same local byte range.
 */
import { buildXml, responses } from "../s3";
import { ClientError } from "./errors";
import { readXml, type RequestBody, type S3Client } from "./http";
import { listParts, listUploads, type UploadedPart } from "./list";

/** Where the bytes come from: a local file or another object, read by byte range. */
export interface Source {
  size: number;
  /** A fresh body for [start, end) on every call (retries call it again). */
  range(start: number, end: number): () => RequestBody;
  /** Hex MD5 of [start, end), or null when it is too costly to compute (remote sources). */
  md5?(start: number, end: number): Promise<string>;
}

export interface MultipartOptions {
  partSize: number;
  parallel: number;
  resume: boolean;
  headers: Record<string, string>;
  onBytes(n: number): void;
}

const MAX_PARTS = 10_000;

/** The part size actually used: the requested one, grown so the object fits in 10,000 parts. */
export function effectivePartSize(size: number, requested: number): number {
  const min = Math.ceil(size / MAX_PARTS);
  return Math.max(requested, Math.ceil(min / (1 << 20)) * (1 << 20));
}

async function createUpload(c: S3Client, o: { bucket: string; key: string; headers: Record<string, string> }): Promise<string> {
  const res = await c.send({ method: "POST", bucket: o.bucket, key: o.key, query: { uploads: "" }, headers: o.headers });
  return (await readXml(res, "InitiateMultipartUploadResult", responses.initiateMultipartUploadResult)).UploadId;
}

export async function abortUpload(c: S3Client, o: { bucket: string; key: string; uploadId: string }): Promise<void> {
  await c.send({ method: "DELETE", bucket: o.bucket, key: o.key, query: { uploadId: o.uploadId }, accept: [404] });
}

async function completeUpload(c: S3Client, o: { bucket: string; key: string; uploadId: string; parts: UploadedPart[] }): Promise<string> {
  const body = buildXml("CompleteMultipartUpload", {
    Part: o.parts.map((p) => ({ PartNumber: p.partNumber, ETag: `"${p.etag}"` })),
  });
  const res = await c.send({ method: "POST", bucket: o.bucket, key: o.key, query: { uploadId: o.uploadId }, body: () => body });
  // Like CopyObject, completion can fail after a 200: the body then holds an <Error>.
  const text = await res.text();
  if (text.includes("<Error>")) throw new ClientError("s3", `completing the upload of ${c.alias}/${o.bucket}/${o.key} failed: ${text.slice(0, 200)}`);
  const m = /<ETag>([^<]*)<\/ETag>/.exec(text);
  return (m?.[1] ?? "").replace(/&quot;|"/g, "");
}

/** The newest open upload for exactly this key, if any. */
async function findOpenUpload(c: S3Client, o: { bucket: string; key: string }): Promise<string | null> {
  let best: { id: string; at: number } | null = null;
  for await (const u of listUploads(c, { bucket: o.bucket, prefix: o.key })) {
    if (u.key === o.key && (!best || u.initiated.getTime() >= best.at)) best = { id: u.uploadId, at: u.initiated.getTime() };
  }
  return best?.id ?? null;
}

/** Parts already on the server whose bytes match the local range (by size and MD5). */
async function reusableParts(c: S3Client, o: { bucket: string; key: string; uploadId: string; source: Source; partSize: number }): Promise<Map<number, UploadedPart>> {
  const keep = new Map<number, UploadedPart>();
  if (!o.source.md5) return keep;
  for (const p of await listParts(c, o)) {
    const start = (p.partNumber - 1) * o.partSize;
    const end = Math.min(start + o.partSize, o.source.size);
    if (start >= o.source.size || p.size !== end - start) continue;
    if ((await o.source.md5(start, end)) === p.etag.toLowerCase()) keep.set(p.partNumber, p);
  }
  return keep;
}

export interface MultipartResult {
  etag: string;
  uploadId: string;
  partsReused: number;
}

export async function uploadMultipart(c: S3Client, target: { bucket: string; key: string }, source: Source, opts: MultipartOptions): Promise<MultipartResult> {
  const partSize = effectivePartSize(source.size, opts.partSize);
  const count = Math.max(1, Math.ceil(source.size / partSize));
  const open = opts.resume ? await findOpenUpload(c, target) : null;
  const uploadId = open ?? (await createUpload(c, { ...target, headers: opts.headers }));
  const done = open ? await reusableParts(c, { ...target, uploadId, source, partSize }) : new Map<number, UploadedPart>();
  const partsReused = done.size;
  for (const p of done.values()) opts.onBytes(p.size);
  let next = 1;
  const worker = async () => {
    for (let n = next++; n <= count; n = next++) {
      if (done.has(n)) continue;
      const start = (n - 1) * partSize;
      const end = Math.min(start + partSize, source.size);
      const res = await c.send({
        method: "PUT",
        bucket: target.bucket,
        key: target.key,
        query: { partNumber: String(n), uploadId },
        headers: { "content-length": String(end - start) },
        body: source.range(start, end),
      });
      await res.body?.cancel();
      done.set(n, { partNumber: n, etag: (res.headers.get("etag") ?? "").replace(/"/g, ""), size: end - start });
      opts.onBytes(end - start);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.parallel, count) }, worker));
  } catch (err) {
    // The upload stays open on purpose: `cp --continue` resumes it.
    if (err instanceof ClientError) throw new ClientError(err.kind, `${err.message} (upload kept; run again with --continue to resume)`, { code: err.code, status: err.status, cause: err });
    throw err;
  }
  const parts = [...done.values()].sort((a, b) => a.partNumber - b.partNumber);
  const etag = await completeUpload(c, { ...target, uploadId, parts });
  return { etag, uploadId, partsReused };
}
