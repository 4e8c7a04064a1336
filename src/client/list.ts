/** Paginated listings as async generators: objects (V2), versions, multipart uploads and parts. */
import { z } from "zod";
import { responses } from "../s3";
import { readXml, type S3Client } from "./http";

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  storageClass?: string;
}

export interface ListedVersion extends ListedObject {
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
}

export type ListItem = { kind: "object"; object: ListedObject } | { kind: "prefix"; prefix: string };

/** ListObjectsV2 pages; with a delimiter, common prefixes are yielded in key order among objects. */
export async function* listObjects(c: S3Client, o: { bucket: string; prefix?: string; delimiter?: string }): AsyncGenerator<ListItem> {
  let token: string | undefined;
  do {
    const query: Record<string, string> = { "list-type": "2", "max-keys": "1000" };
    if (o.prefix) query.prefix = o.prefix;
    if (o.delimiter) query.delimiter = o.delimiter;
    if (token) query["continuation-token"] = token;
    const res = await c.send({ method: "GET", bucket: o.bucket, query });
    const page = await readXml(res, "ListBucketResult", responses.listBucketResult);
    const items: ListItem[] = [
      ...page.Contents.map((x) => ({
        kind: "object" as const,
        object: { key: x.Key, size: x.Size, etag: x.ETag.replace(/"/g, ""), lastModified: x.LastModified, storageClass: x.StorageClass },
      })),
      ...page.CommonPrefixes.map((p) => ({ kind: "prefix" as const, prefix: p.Prefix })),
    ];
    items.sort((a, b) => cmp(itemName(a), itemName(b)));
    yield* items;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

function itemName(i: ListItem): string {
  return i.kind === "object" ? i.object.key : i.prefix;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every object under a prefix (no delimiter). */
export async function* listAll(c: S3Client, o: { bucket: string; prefix?: string }): AsyncGenerator<ListedObject> {
  for await (const item of listObjects(c, o)) if (item.kind === "object") yield item.object;
}

export async function* listVersions(c: S3Client, o: { bucket: string; prefix?: string }): AsyncGenerator<ListedVersion> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const query: Record<string, string> = { versions: "", "max-keys": "1000" };
    if (o.prefix) query.prefix = o.prefix;
    if (keyMarker) query["key-marker"] = keyMarker;
    if (versionMarker) query["version-id-marker"] = versionMarker;
    const res = await c.send({ method: "GET", bucket: o.bucket, query });
    const page = await readXml(res, "ListVersionsResult", responses.listVersionsResult);
    const entries: ListedVersion[] = [
      ...page.Version.map((v) => ({ ...base(v), deleteMarker: false })),
      ...page.DeleteMarker.map((v) => ({ ...base(v), deleteMarker: true })),
    ];
    // The two lists arrive separately; S3 orders versions by key, newest first.
    entries.sort((a, b) => cmp(a.key, b.key) || b.lastModified.getTime() - a.lastModified.getTime());
    yield* entries;
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
}

function base(v: { Key: string; VersionId: string; IsLatest: boolean; LastModified: Date; ETag?: string; Size?: number }) {
  return { key: v.Key, versionId: v.VersionId, isLatest: v.IsLatest, lastModified: v.LastModified, etag: (v.ETag ?? "").replace(/"/g, ""), size: v.Size ?? 0 };
}

const uploadsSchema = z.preprocess(
  (v) => (v === "" ? {} : v),
  z.object({
    IsTruncated: z.enum(["true", "false"]).default("false"),
    NextKeyMarker: z.string().optional(),
    NextUploadIdMarker: z.string().optional(),
    Upload: z.array(z.object({ Key: z.string(), UploadId: z.string(), Initiated: z.string().optional() })).default([]),
  }),
);

export interface OpenUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

export async function* listUploads(c: S3Client, o: { bucket: string; prefix?: string }): AsyncGenerator<OpenUpload> {
  let keyMarker: string | undefined;
  let idMarker: string | undefined;
  do {
    const query: Record<string, string> = { uploads: "" };
    if (o.prefix) query.prefix = o.prefix;
    if (keyMarker) query["key-marker"] = keyMarker;
    if (idMarker) query["upload-id-marker"] = idMarker;
    const res = await c.send({ method: "GET", bucket: o.bucket, query });
    const page = await readXml(res, "ListMultipartUploadsResult", uploadsSchema);
    for (const u of page.Upload) yield { key: u.Key, uploadId: u.UploadId, initiated: new Date(u.Initiated ?? 0) };
    keyMarker = page.IsTruncated === "true" ? page.NextKeyMarker : undefined;
    idMarker = page.IsTruncated === "true" ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
  size: number;
}

export async function listParts(c: S3Client, o: { bucket: string; key: string; uploadId: string }): Promise<UploadedPart[]> {
  const parts: UploadedPart[] = [];
  let marker = 0;
  for (;;) {
    const query: Record<string, string> = { uploadId: o.uploadId, "part-number-marker": String(marker) };
    const res = await c.send({ method: "GET", bucket: o.bucket, key: o.key, query });
    const page = await readXml(res, "ListPartsResult", responses.listPartsResult);
    for (const p of page.Part) parts.push({ partNumber: p.PartNumber, etag: p.ETag.replace(/"/g, ""), size: p.Size });
    if (!page.IsTruncated) return parts;
    marker = page.NextPartNumberMarker;
  }
}
