/**
 * A coarse API name for metrics, from method, path depth and the sub-resource in the query.
 * The S3 front does the real routing; this only needs to be cheap and stable for labels.
 */
const SUBRESOURCES = [
  "uploads", "uploadId", "partNumber", "delete", "versions", "versioning", "tagging", "policy",
  "acl", "location", "lifecycle", "cors", "encryption", "object-lock", "retention", "legal-hold",
  "notification", "replication", "website", "logging", "list-type", "attributes", "select",
] as const;

const NAMES: Record<string, string> = {
  "GET service": "ListBuckets",
  "PUT bucket": "CreateBucket",
  "HEAD bucket": "HeadBucket",
  "DELETE bucket": "DeleteBucket",
  "GET bucket": "ListObjects",
  "GET bucket list-type": "ListObjectsV2",
  "GET bucket versions": "ListObjectVersions",
  "GET bucket uploads": "ListMultipartUploads",
  "GET bucket location": "GetBucketLocation",
  "POST bucket delete": "DeleteObjects",
  "POST bucket": "PostPolicy",
  "PUT object": "PutObject",
  "GET object": "GetObject",
  "HEAD object": "HeadObject",
  "DELETE object": "DeleteObject",
  "POST object uploads": "CreateMultipartUpload",
  "PUT object partNumber": "UploadPart",
  "PUT object uploadId": "UploadPart",
  "GET object uploadId": "ListParts",
  "POST object uploadId": "CompleteMultipartUpload",
  "DELETE object uploadId": "AbortMultipartUpload",
};

/** `host` decides virtual-hosted style: the bucket is in the host name when it ends with a domain. */
export function apiLabel(method: string, url: URL, bucketInHost: boolean): string {
  const segments = url.pathname.split("/").filter((s) => s !== "").length + (bucketInHost ? 1 : 0);
  const scope = segments === 0 ? "service" : segments === 1 ? "bucket" : "object";
  const params = url.searchParams;
  const sub = SUBRESOURCES.find((s) => params.has(s));
  const key = sub ? `${method} ${scope} ${sub}` : `${method} ${scope}`;
  return NAMES[key] ?? (sub ? `${method}_${scope}_${sub}` : `${method}_${scope}`);
}
