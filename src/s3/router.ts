/**
 * Pure request → operation parsing. Finds bucket and key (path-style or virtual-host style)
 * and names the S3 operation before anything else runs, so dispatch is one table lookup.
 * Query parameters S3 does not define are ignored, as AWS does; sub-resources S3 defines but
 * Cairn does not serve become `NotImplemented` (501), never 404 or 500.
 */
import { S3Error } from "./errors";
import { RequestQuery } from "../lib/index";

export type ServiceOp = "ListBuckets";
export type BucketOp =
  | "CreateBucket"
  | "HeadBucket"
  | "DeleteBucket"
  | "GetBucketLocation"
  | "GetBucketVersioning"
  | "PutBucketVersioning"
  | "ListObjects"
  | "ListObjectsV2"
  | "ListObjectVersions"
  | "ListMultipartUploads"
  | "DeleteObjects"
  | "PostObject"
  | "GetBucketTagging"
  | "PutBucketTagging"
  | "DeleteBucketTagging"
  | "GetBucketPolicy"
  | "PutBucketPolicy"
  | "DeleteBucketPolicy"
  | "GetBucketPolicyStatus"
  | "GetBucketAcl"
  | "PutBucketAcl"
  | "GetBucketCors"
  | "PutBucketCors"
  | "DeleteBucketCors"
  | "GetObjectLockConfiguration"
  | "PutObjectLockConfiguration"
  | "GetBucketEncryption"
  | "PutBucketEncryption"
  | "DeleteBucketEncryption"
  | "GetBucketNotificationConfiguration"
  | "PutBucketNotificationConfiguration"
  | "GetBucketLifecycleConfiguration"
  | "PutBucketLifecycleConfiguration"
  | "DeleteBucketLifecycle";
export type ObjectOp =
  | "PutObject"
  | "CopyObject"
  | "GetObject"
  | "HeadObject"
  | "DeleteObject"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "UploadPartCopy"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "ListParts"
  | "GetObjectTagging"
  | "PutObjectTagging"
  | "DeleteObjectTagging"
  | "GetObjectAcl"
  | "PutObjectAcl"
  | "GetObjectRetention"
  | "PutObjectRetention"
  | "GetObjectLegalHold"
  | "PutObjectLegalHold"
  | "GetObjectAttributes";

/** Distributed per operation so `Extract<Endpoint, { op: "PutObject" }>` narrows. */
export type Endpoint =
  | { [K in ServiceOp]: { op: K } }[ServiceOp]
  | { [K in BucketOp]: { op: K; bucket: string } }[BucketOp]
  | { [K in ObjectOp]: { op: K; bucket: string; key: string } }[ObjectOp]
  | { op: "NotImplemented"; name: string; bucket?: string; key?: string };

export type EndpointOp = Endpoint["op"];

/** Operations whose AWS names do not follow `<Verb><Bucket|Object><Piece>`. */
const IRREGULAR_NAMES: Record<string, string> = {
  PostObjectSelect: "SelectObjectContent",
  PostObjectRestore: "RestoreObject",
};

/**
 * Sub-resources S3 defines that Cairn does not serve, with the name piece of the AWS
 * operation (`GetBucket` + `Policy`). `tagging`, `versioning`, … are served and not listed.
 * The tables below are Maps: they are looked up by the request's query names, and a plain
 * object would answer `?constructor` or `?toString` with a member it inherits.
 */
const UNSERVED_SUBRESOURCES = new Map<string, string>(Object.entries({
  accelerate: "Accelerate",
  analytics: "Analytics",
  "intelligent-tiering": "IntelligentTiering",
  inventory: "Inventory",
  logging: "Logging",
  metadataTable: "MetadataTable",
  metrics: "Metrics",
  ownershipControls: "OwnershipControls",
  publicAccessBlock: "PublicAccessBlock",
  replication: "Replication",
  requestPayment: "RequestPayment",
  restore: "Restore",
  select: "Select",
  torrent: "Torrent",
  website: "Website",
}));

type Verb = "GET" | "PUT" | "DELETE";

/** Served bucket sub-resources: the operation per method; another method is MethodNotAllowed. */
const BUCKET_SUBRESOURCES = new Map<string, Partial<Record<Verb, BucketOp>>>(Object.entries({
  policy: { GET: "GetBucketPolicy", PUT: "PutBucketPolicy", DELETE: "DeleteBucketPolicy" },
  policyStatus: { GET: "GetBucketPolicyStatus" },
  acl: { GET: "GetBucketAcl", PUT: "PutBucketAcl" },
  cors: { GET: "GetBucketCors", PUT: "PutBucketCors", DELETE: "DeleteBucketCors" },
  "object-lock": { GET: "GetObjectLockConfiguration", PUT: "PutObjectLockConfiguration" },
  encryption: { GET: "GetBucketEncryption", PUT: "PutBucketEncryption", DELETE: "DeleteBucketEncryption" },
  notification: { GET: "GetBucketNotificationConfiguration", PUT: "PutBucketNotificationConfiguration" },
  lifecycle: { GET: "GetBucketLifecycleConfiguration", PUT: "PutBucketLifecycleConfiguration", DELETE: "DeleteBucketLifecycle" },
}));

/** Served object sub-resources, as above. */
const OBJECT_SUBRESOURCES = new Map<string, Partial<Record<Verb, ObjectOp>>>(Object.entries({
  acl: { GET: "GetObjectAcl", PUT: "PutObjectAcl" },
  retention: { GET: "GetObjectRetention", PUT: "PutObjectRetention" },
  "legal-hold": { GET: "GetObjectLegalHold", PUT: "PutObjectLegalHold" },
  attributes: { GET: "GetObjectAttributes" },
}));

function subresourceOp<Op extends string>(table: ReadonlyMap<string, Partial<Record<Verb, Op>>>, m: string, q: RequestQuery): Op | undefined {
  for (const { key: name } of q.params) {
    const ops = table.get(name);
    if (!ops) continue;
    const op = Object.hasOwn(ops, m) ? ops[m as Verb] : undefined;
    if (!op) throw new S3Error("MethodNotAllowed");
    return op;
  }
  return undefined;
}

export interface ParseOptions {
  /** Base domains for virtual-host style (`bucket.<domain>`). */
  domains?: string[];
}

const VERBS: Record<string, string> = { GET: "Get", PUT: "Put", DELETE: "Delete", POST: "Post", HEAD: "Head" };

/** `query` is `url`'s query when the caller has parsed it already. */
export function parseEndpoint(method: string, url: URL, headers: Headers, opts: ParseOptions = {}, query?: RequestQuery): Endpoint {
  const m = method.toUpperCase();
  const { bucket, key } = locate(url, headers, opts.domains ?? []);
  const q = query ?? new RequestQuery(url.search);
  if (bucket === "") {
    if (m === "GET") return { op: "ListBuckets" };
    throw new S3Error("MethodNotAllowed");
  }
  const unserved = unservedName(q);
  if (key === "") {
    if (unserved) return { op: "NotImplemented", name: opName(m, "Bucket", unserved), bucket };
    // TypeScript cannot distribute a union-typed `op` over more than 25 members; the shape is exact.
    return { op: bucketOp(m, q), bucket } as Endpoint;
  }
  if (unserved) return { op: "NotImplemented", name: opName(m, "Object", unserved), bucket, key };
  const op = objectOp(m, q, headers);
  if (op === "PostObjectUnknown") throw new S3Error("MethodNotAllowed", { bucket, key });
  return { op, bucket, key } as Endpoint;
}

function opName(method: string, level: "Bucket" | "Object", piece: string): string {
  const name = `${VERBS[method] ?? method}${level}${piece}`;
  return IRREGULAR_NAMES[name] ?? name;
}

function unservedName(q: RequestQuery): string | undefined {
  for (const { key: name } of q.params) {
    const piece = UNSERVED_SUBRESOURCES.get(name);
    if (piece) return piece;
  }
  return undefined;
}

function bucketOp(m: string, q: RequestQuery): BucketOp {
  const sub = subresourceOp(BUCKET_SUBRESOURCES, m, q);
  if (sub) return sub;
  switch (m) {
    case "GET":
      if (q.has("location")) return "GetBucketLocation";
      if (q.has("versioning")) return "GetBucketVersioning";
      if (q.has("tagging")) return "GetBucketTagging";
      if (q.has("uploads")) return "ListMultipartUploads";
      if (q.has("versions")) return "ListObjectVersions";
      return q.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    case "HEAD":
      return "HeadBucket";
    case "PUT":
      if (q.has("versioning")) return "PutBucketVersioning";
      if (q.has("tagging")) return "PutBucketTagging";
      return "CreateBucket";
    case "DELETE":
      return q.has("tagging") ? "DeleteBucketTagging" : "DeleteBucket";
    case "POST":
      // Anything else POSTed to a bucket is a browser form upload.
      return q.has("delete") ? "DeleteObjects" : "PostObject";
    default:
      throw new S3Error("MethodNotAllowed");
  }
}

function objectOp(m: string, q: RequestQuery, headers: Headers): ObjectOp | "PostObjectUnknown" {
  const copy = headers.has("x-amz-copy-source");
  const sub = subresourceOp(OBJECT_SUBRESOURCES, m, q);
  if (sub) return sub;
  switch (m) {
    case "GET":
      if (q.has("tagging")) return "GetObjectTagging";
      return q.has("uploadId") ? "ListParts" : "GetObject";
    case "HEAD":
      return "HeadObject";
    case "PUT":
      if (q.has("tagging")) return "PutObjectTagging";
      if (q.has("uploadId") && q.has("partNumber")) return copy ? "UploadPartCopy" : "UploadPart";
      return copy ? "CopyObject" : "PutObject";
    case "DELETE":
      if (q.has("tagging")) return "DeleteObjectTagging";
      return q.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    case "POST":
      if (q.has("uploads")) return "CreateMultipartUpload";
      return q.has("uploadId") ? "CompleteMultipartUpload" : "PostObjectUnknown";
    default:
      throw new S3Error("MethodNotAllowed");
  }
}

/** Bucket and key from Host (virtual-host style) or from the first path segment. */
function locate(url: URL, headers: Headers, domains: string[]): { bucket: string; key: string } {
  const path = url.pathname.startsWith("/") ? url.pathname.slice(1) : url.pathname;
  const hostBucket = bucketFromHost(headers.get("host") ?? url.host, domains);
  if (hostBucket !== undefined) return { bucket: hostBucket, key: decode(path) };
  const slash = path.indexOf("/");
  if (slash < 0) return { bucket: decode(path), key: "" };
  return { bucket: decode(path.slice(0, slash)), key: decode(path.slice(slash + 1)) };
}

/** The bucket named by the Host header (virtual-host style), if any. */
export function bucketFromHost(hostHeader: string, domains: string[]): string | undefined {
  const host = stripPort(hostHeader).toLowerCase();
  for (const d of domains) {
    const domain = d.toLowerCase();
    if (host.length > domain.length + 1 && host.endsWith(`.${domain}`)) {
      return host.slice(0, host.length - domain.length - 1);
    }
  }
  return undefined;
}

function stripPort(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch (cause) {
    throw new S3Error("InvalidURI", { cause });
  }
}
