/** Bucket and single-object S3 operations over the HTTP core. */
import { buildXml, responses, schemas } from "../s3";
import { ClientError, isClientError } from "./errors";
import { readXml, type RequestBody, type S3Client } from "./http";
import { z } from "zod";

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  contentType?: string;
  versionId?: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
}

export async function listBuckets(c: S3Client): Promise<{ name: string; created: Date }[]> {
  const res = await c.send({ method: "GET" });
  const body = await readXml(res, "ListAllMyBucketsResult", responses.listAllMyBucketsResult);
  return body.Buckets.Bucket.map((b) => ({ name: b.Name, created: b.CreationDate }));
}

export async function makeBucket(c: S3Client, bucket: string): Promise<void> {
  await c.send({ method: "PUT", bucket });
}

export async function removeBucket(c: S3Client, bucket: string): Promise<void> {
  await c.send({ method: "DELETE", bucket });
}

export async function bucketExists(c: S3Client, bucket: string): Promise<boolean> {
  const res = await c.send({ method: "HEAD", bucket, accept: [404] });
  return res.status !== 404;
}

/** Fails with a no-bucket error (one clear line) when the bucket is missing. */
export async function requireBucket(c: S3Client, bucket: string): Promise<void> {
  if (!(await bucketExists(c, bucket))) throw new ClientError("no-bucket", `no such bucket: ${c.alias}/${bucket}`, { code: "NoSuchBucket", status: 404 });
}

const versioningSchema = z.preprocess((v) => (v === "" ? {} : v), z.object({ Status: z.string().optional() }));

export async function getVersioning(c: S3Client, bucket: string): Promise<string> {
  const res = await c.send({ method: "GET", bucket, query: { versioning: "" } });
  return (await readXml(res, "VersioningConfiguration", versioningSchema)).Status ?? "Unversioned";
}

export async function setVersioning(c: S3Client, bucket: string, status: "Enabled" | "Suspended"): Promise<void> {
  const body = buildXml("VersioningConfiguration", { Status: status });
  await c.send({ method: "PUT", bucket, query: { versioning: "" }, body: () => body, payloadHash: sha256(body) });
}

function sha256(text: string): string {
  return new Bun.CryptoHasher("sha256").update(text).digest("hex");
}

function md5Base64(text: string): string {
  return new Bun.CryptoHasher("md5").update(text).digest("base64");
}

export function infoFromHeaders(key: string, h: Headers): ObjectInfo {
  const metadata: Record<string, string> = {};
  const headers: Record<string, string> = {};
  h.forEach((v, k) => {
    headers[k] = v;
    if (k.startsWith("x-amz-meta-")) metadata[k.slice(11)] = v;
  });
  return {
    key,
    size: Number(h.get("content-length") ?? 0),
    etag: (h.get("etag") ?? "").replace(/"/g, ""),
    lastModified: new Date(h.get("last-modified") ?? 0),
    contentType: h.get("content-type") ?? undefined,
    versionId: h.get("x-amz-version-id") ?? undefined,
    metadata,
    headers,
  };
}

export async function headObject(c: S3Client, o: { bucket: string; key: string; versionId?: string }): Promise<ObjectInfo> {
  const query: Record<string, string> = o.versionId ? { versionId: o.versionId } : {};
  const res = await c.send({ method: "HEAD", bucket: o.bucket, key: o.key, query });
  return infoFromHeaders(o.key, res.headers);
}

/** Like headObject, but null for a missing key (a missing bucket still fails). */
export async function statObject(c: S3Client, o: { bucket: string; key: string }): Promise<ObjectInfo | null> {
  try {
    return await headObject(c, o);
  } catch (err) {
    if (isClientError(err, "no-key") || isClientError(err, "no-bucket")) {
      if (isClientError(err, "no-bucket") && !(await bucketExists(c, o.bucket))) throw err;
      return null;
    }
    throw err;
  }
}

/** GET as a stream; `range` is an inclusive byte range. */
export async function getObject(c: S3Client, o: { bucket: string; key: string; versionId?: string; range?: [number, number]; ifMatch?: string }): Promise<Response> {
  const headers: Record<string, string> = o.range ? { range: `bytes=${o.range[0]}-${o.range[1]}` } : {};
  if (o.ifMatch) headers["if-match"] = `"${o.ifMatch}"`;
  const query: Record<string, string> = o.versionId ? { versionId: o.versionId } : {};
  return c.send({ method: "GET", bucket: o.bucket, key: o.key, headers, query, streamResponse: true });
}

export interface PutInput {
  bucket: string;
  key: string;
  body: () => RequestBody;
  size: number;
  headers?: Record<string, string>;
  /** 1 for a one-shot stream body. */
  attempts?: number;
}

export async function putObject(c: S3Client, p: PutInput): Promise<string> {
  const headers = { ...p.headers, "content-length": String(p.size) };
  const res = await c.send({ method: "PUT", bucket: p.bucket, key: p.key, headers, body: p.body, attempts: p.attempts });
  await res.body?.cancel();
  return (res.headers.get("etag") ?? "").replace(/"/g, "");
}

/** Server-side copy (one request, no bytes through the client); S3 limits it to 5 GiB. */
export async function copyObject(c: S3Client, o: { from: { bucket: string; key: string }; bucket: string; key: string; headers?: Record<string, string> }): Promise<void> {
  const headers: Record<string, string> = { ...o.headers, "x-amz-copy-source": `/${o.from.bucket}/${encodeURIComponent(o.from.key).replace(/%2F/g, "/")}` };
  if (o.headers && Object.keys(o.headers).length > 0) headers["x-amz-metadata-directive"] = "REPLACE";
  const res = await c.send({ method: "PUT", bucket: o.bucket, key: o.key, headers });
  // A copy can fail after the 200 has been sent: the body then holds an <Error>.
  const text = await res.text();
  if (text.includes("<Error>")) throw new ClientError("s3", `copy to ${c.alias}/${o.bucket}/${o.key} failed: ${text.slice(0, 200)}`);
}

export async function deleteObject(c: S3Client, o: { bucket: string; key: string; versionId?: string }): Promise<void> {
  const query: Record<string, string> = o.versionId ? { versionId: o.versionId } : {};
  await c.send({ method: "DELETE", bucket: o.bucket, key: o.key, query, accept: [404] });
}

/** DeleteObjects for up to 1000 keys; returns per-key failures. */
export async function deleteObjects(c: S3Client, bucket: string, items: { key: string; versionId?: string }[]): Promise<{ key: string; code: string }[]> {
  const body = buildXml("Delete", {
    Quiet: true,
    Object: items.map((i) => ({ Key: i.key, VersionId: i.versionId })),
  });
  const headers = { "content-md5": md5Base64(body), "content-type": "application/xml" };
  const res = await c.send({ method: "POST", bucket, query: { delete: "" }, headers, body: () => body, payloadHash: sha256(body) });
  const parsed = await readXml(res, "DeleteResult", responses.deleteResult);
  return parsed.Error.map((e) => ({ key: e.Key, code: e.Code }));
}

export async function getTags(c: S3Client, o: { bucket: string; key?: string }): Promise<Record<string, string>> {
  const res = await c.send({ method: "GET", bucket: o.bucket, key: o.key, query: { tagging: "" } });
  const parsed = await readXml(res, "Tagging", schemas.tagging);
  return Object.fromEntries(parsed.TagSet.Tag.map((t) => [t.Key, t.Value]));
}

export async function setTags(c: S3Client, o: { bucket: string; key?: string; tags: Record<string, string> }): Promise<void> {
  const tags = Object.entries(o.tags);
  if (tags.length === 0) {
    await c.send({ method: "DELETE", bucket: o.bucket, key: o.key, query: { tagging: "" } });
    return;
  }
  const body = buildXml("Tagging", { TagSet: { Tag: tags.map(([Key, Value]) => ({ Key, Value })) } });
  const headers = { "content-md5": md5Base64(body), "content-type": "application/xml" };
  await c.send({ method: "PUT", bucket: o.bucket, key: o.key, query: { tagging: "" }, headers, body: () => body, payloadHash: sha256(body) });
}
