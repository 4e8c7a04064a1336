/**
 * The S3 front door: parse the endpoint, verify the request once, run the one handler for the
 * operation, serialize. Every failure, from any layer, leaves as an S3 error response.
 */
import { AuthError, verifyRequest } from "../auth/index";
import { RequestQuery, urlWithRawPath, type IncomingRequest, type Reply } from "../lib/index";
import type { Handler, HandlerTable, S3Context, S3Deps, Verified } from "./context";
import { S3Error, fromAuthError, toS3Error } from "./errors";
import * as bucket from "./handlers/bucket";
import * as del from "./handlers/object-delete";
import * as get from "./handlers/object-get";
import * as put from "./handlers/object-put";
import * as list from "./handlers/list";
import * as mp from "./handlers/multipart";
import { postObject } from "./handlers/post-object";
import * as tagging from "./handlers/tagging";
import * as acl from "./handlers/acl";
import * as policy from "./handlers/policy";
import { authorizeAnonymous } from "./authorize";
import { addCorsHeaders, preflight } from "./cors";
import * as corsApi from "./handlers/cors";
import * as lock from "./handlers/object-lock";
import * as config from "./handlers/config";
import * as lifecycle from "./handlers/lifecycle";
import { getObjectAttributes } from "./handlers/attributes";
import { serialize, serializeError, type ResponseMeta } from "./response";
import { bucketFromHost, parseEndpoint, type Endpoint } from "./router";

const HANDLERS: HandlerTable = {
  ListBuckets: bucket.listBuckets,
  CreateBucket: bucket.createBucket,
  HeadBucket: bucket.headBucket,
  DeleteBucket: bucket.deleteBucket,
  GetBucketLocation: bucket.getBucketLocation,
  GetBucketVersioning: bucket.getBucketVersioning,
  PutBucketVersioning: bucket.putBucketVersioning,
  GetBucketTagging: tagging.getBucketTagging,
  PutBucketTagging: tagging.putBucketTagging,
  DeleteBucketTagging: tagging.deleteBucketTagging,
  ListObjects: list.listObjectsV1,
  ListObjectsV2: list.listObjectsV2,
  ListObjectVersions: list.listObjectVersions,
  ListMultipartUploads: list.listMultipartUploads,
  DeleteObjects: del.deleteObjects,
  PostObject: postObject,
  PutObject: put.putObject,
  CopyObject: put.copyObject,
  GetObject: get.getObject,
  HeadObject: get.headObject,
  DeleteObject: del.deleteObject,
  CreateMultipartUpload: mp.createMultipartUpload,
  UploadPart: mp.uploadPart,
  UploadPartCopy: mp.uploadPartCopy,
  CompleteMultipartUpload: mp.completeMultipartUpload,
  AbortMultipartUpload: mp.abortMultipartUpload,
  ListParts: mp.listParts,
  GetObjectTagging: tagging.getObjectTagging,
  PutObjectTagging: tagging.putObjectTagging,
  DeleteObjectTagging: tagging.deleteObjectTagging,
  GetBucketPolicy: policy.getBucketPolicy,
  PutBucketPolicy: policy.putBucketPolicy,
  DeleteBucketPolicy: policy.deleteBucketPolicy,
  GetBucketPolicyStatus: policy.getBucketPolicyStatus,
  GetBucketAcl: acl.getBucketAcl,
  PutBucketAcl: acl.putBucketAcl,
  GetBucketCors: corsApi.getBucketCors,
  PutBucketCors: corsApi.putBucketCors,
  DeleteBucketCors: corsApi.deleteBucketCors,
  GetObjectLockConfiguration: lock.getObjectLockConfiguration,
  PutObjectLockConfiguration: lock.putObjectLockConfiguration,
  GetObjectRetention: lock.getObjectRetention,
  PutObjectRetention: lock.putObjectRetention,
  GetObjectLegalHold: lock.getObjectLegalHold,
  PutObjectLegalHold: lock.putObjectLegalHold,
  GetBucketEncryption: config.getBucketEncryption,
  PutBucketEncryption: config.putBucketEncryption,
  DeleteBucketEncryption: config.deleteBucketEncryption,
  GetBucketNotificationConfiguration: config.getBucketNotification,
  PutBucketNotificationConfiguration: config.putBucketNotification,
  GetObjectAttributes: getObjectAttributes,
  GetBucketLifecycleConfiguration: lifecycle.getBucketLifecycle,
  PutBucketLifecycleConfiguration: lifecycle.putBucketLifecycle,
  DeleteBucketLifecycle: lifecycle.deleteBucketLifecycle,
  GetObjectAcl: acl.getObjectAcl,
  PutObjectAcl: acl.putObjectAcl,
  NotImplemented: async (ctx) => {
    throw new S3Error("NotImplemented", {
      message: `${ctx.endpoint.name} is not implemented.`,
      bucket: ctx.endpoint.bucket,
      key: ctx.endpoint.key,
    });
  },
};

const DEFAULT_REGION = "us-east-1";

export interface RequestContext {
  requestId: string;
  remoteAddress?: string;
  /** The request URL if the server parsed it already (the S3 front may replace its pathname). */
  url?: URL;
  /** Set here once the request is routed, for the server's metrics and access log. */
  api?: string;
  bucket?: string;
  key?: string;
}

export type S3Handler = (req: IncomingRequest, ctx: RequestContext) => Promise<Reply>;

export function createS3Handler(deps: S3Deps): S3Handler {
  const domains = deps.domains ?? [];
  // On the default region any signing region is accepted, as MinIO does: clients such as
  // s3cmd sign with their legacy default "US".
  const checkRegion = deps.region !== DEFAULT_REGION;
  async function authenticate(req: IncomingRequest, url: URL, query: RequestQuery, endpoint: Endpoint, remoteAddress?: string): Promise<Verified> {
    // A browser form carries its signature in a signed policy inside the body: the handler
    // verifies it (verifyPostPolicy) before storing anything.
    if (endpoint.op === "PostObject") return { accessKey: null, body: req.body, contentLength: -1, checksums: () => ({}) };
    const vhost = bucketFromHost(req.headers.get("host") ?? url.host, domains);
    const auth = await verifyRequest({ method: req.method, url, query, headers: req.headers }, req.body, deps.lookupSecret, {
      ...(checkRegion && { region: deps.region }),
      ...(vhost !== undefined && { virtualHostBucket: vhost }),
    });
    // The one authorization point: signed requests are root's (IAM users come later); an
    // anonymous one gets exactly what the bucket policy and canned ACLs grant.
    if (auth.accessKey === null) await authorizeAnonymous(deps.layer, { endpoint, url, query, headers: req.headers, remoteAddress });
    return auth;
  }

  return async (req, rctx) => {
    const url = urlWithRawPath(rctx.url ?? new URL(req.url), req.headers);
    const meta: ResponseMeta = { requestId: rctx.requestId, method: req.method.toUpperCase(), resource: url.pathname };
    const cors = { origin: req.headers.get("origin"), method: meta.method, bucket: undefined as string | undefined };
    let res: Reply;
    try {
      if (meta.method === "OPTIONS") return await serialize(await preflight(deps.layer, url, req.headers, { domains }), meta);
      const query = new RequestQuery(url.search);
      const endpoint = parseEndpoint(req.method, url, req.headers, { domains }, query);
      if ("bucket" in endpoint) cors.bucket = rctx.bucket = endpoint.bucket;
      if ("key" in endpoint) rctx.key = endpoint.key;
      rctx.api = endpoint.op === "NotImplemented" ? endpoint.name : endpoint.op;
      const auth = await authenticate(req, url, query, endpoint, rctx.remoteAddress);
      const ctx: S3Context = { endpoint, method: meta.method, url, query, headers: req.headers, auth, deps, requestId: rctx.requestId, ...(rctx.remoteAddress !== undefined && { remoteAddress: rctx.remoteAddress }) };
      const run = HANDLERS[endpoint.op] as Handler<Endpoint>;
      res = await serialize(await run(ctx), meta);
    } catch (err) {
      const s3err = mapError(err);
      if (s3err.status >= 500 && s3err.code !== "NotImplemented") {
        console.error(`[s3] ${rctx.requestId} ${req.method} ${url.pathname}: ${s3err.code}`, s3err.cause ?? s3err);
      }
      res = serializeError(s3err, meta);
    }
    // Errors carry CORS headers too, so a browser page can read why its request failed.
    return addCorsHeaders(res, deps.layer, cors);
  };
}

/**
 * A body that fails verification errors its stream with an AuthError, which the object layer
 * may wrap: the signature failure is the precise answer, so look for it along the cause chain.
 */
export function mapError(err: unknown): S3Error {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof AuthError) return fromAuthError(e);
  }
  return toS3Error(err);
}
