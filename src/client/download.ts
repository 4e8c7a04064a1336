/**
 * Downloads into a temp file beside the target, renamed into place at the end (a reader never
 * sees half a file). Small objects stream in one GET; objects at or above the multipart
 * threshold are fetched as parallel ranged GETs written at their offsets, each pinned to the
 * first response's ETag (If-Match) so a concurrent overwrite cannot mix two versions.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ClientError } from "./errors";
import type { S3Client } from "./http";
import { getObject } from "./ops";
import type { Progress } from "./progress";

export interface DownloadOptions {
  threshold: number;
  partSize: number;
  parallel: number;
  progress: Progress;
}

type RemoteRef = { client: S3Client; bucket: string; key: string };

/** Positional writes into the page cache are quick: a synchronous write beats a thread-pool hop per chunk. */
async function writeStream(res: Response, fd: number, o: { at: number; progress: Progress }): Promise<number> {
  let pos = o.at;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (let off = 0; off < chunk.byteLength; ) off += writeSync(fd, chunk, off, chunk.byteLength - off, pos + off);
    pos += chunk.byteLength;
    o.progress.add(chunk.byteLength);
  }
  return pos - o.at;
}

async function rangedParts(src: RemoteRef, file: number, o: DownloadOptions & { size: number; etag: string }): Promise<void> {
  const count = Math.ceil(o.size / o.partSize);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const start = i * o.partSize;
      const end = Math.min(o.size, start + o.partSize);
      const res = await getObject(src.client, { ...src, range: [start, end - 1], ifMatch: o.etag || undefined });
      const got = await writeStream(res, file, { at: start, progress: o.progress });
      if (got !== end - start) throw new ClientError("network", `short read of ${src.client.alias}/${src.bucket}/${src.key} at ${start}: ${got} of ${end - start} bytes`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel, count) }, worker));
}

/** Returns the object's size. */
export async function download(src: RemoteRef, path: string, o: DownloadOptions): Promise<number> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.cairn-${process.pid}.tmp`;
  const file = openSync(tmp, "w");
  try {
    const res = await getObject(src.client, src);
    const size = Number(res.headers.get("content-length") ?? -1);
    const etag = (res.headers.get("etag") ?? "").replace(/"/g, "");
    let got = size;
    if (size >= o.threshold && o.parallel > 1) {
      // The first response only told us the size; the parts fetch the bytes.
      await res.body?.cancel();
      await rangedParts(src, file, { ...o, size, etag });
    } else {
      got = await writeStream(res, file, { at: 0, progress: o.progress });
      if (size >= 0 && got !== size) throw new ClientError("network", `short read of ${src.client.alias}/${src.bucket}/${src.key}: ${got} of ${size} bytes`);
    }
    closeSync(file);
    renameSync(tmp, path);
    return got;
  } catch (err) {
    try {
      closeSync(file);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
