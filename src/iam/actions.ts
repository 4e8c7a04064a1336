/**
 * S3 IAM actions: which resource type each applies to (validation needs it: "Action does not
 * apply to any resource(s) in statement"), and which action + resource ARN each S3 API operation
 * is authorized as. Operation names are AWS's API names, the same the S3 router's endpoints use.
 */
export type ResourceKind = "bucket" | "object" | "service";

const OBJECT_ACTIONS = [
  "GetObject", "GetObjectVersion", "PutObject", "DeleteObject", "DeleteObjectVersion",
  "GetObjectTagging", "GetObjectVersionTagging", "PutObjectTagging", "PutObjectVersionTagging",
  "DeleteObjectTagging", "DeleteObjectVersionTagging", "GetObjectAcl", "GetObjectVersionAcl",
  "PutObjectAcl", "PutObjectVersionAcl", "AbortMultipartUpload", "ListMultipartUploadParts",
  "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold", "PutObjectLegalHold",
  "BypassGovernanceRetention", "RestoreObject", "GetObjectAttributes", "GetObjectVersionAttributes",
];
const BUCKET_ACTIONS = [
  "ListBucket", "ListBucketVersions", "ListBucketMultipartUploads", "GetBucketLocation",
  "CreateBucket", "DeleteBucket", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
  "GetBucketPolicyStatus", "GetBucketVersioning", "PutBucketVersioning", "GetBucketTagging",
  "PutBucketTagging", "GetBucketCORS", "PutBucketCORS", "GetLifecycleConfiguration",
  "PutLifecycleConfiguration", "GetBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration",
  "GetBucketAcl", "PutBucketAcl", "GetEncryptionConfiguration", "PutEncryptionConfiguration",
  "GetBucketNotification", "PutBucketNotification", "GetBucketPublicAccessBlock",
  "PutBucketPublicAccessBlock", "GetBucketOwnershipControls", "PutBucketOwnershipControls",
  "GetReplicationConfiguration", "PutReplicationConfiguration", "GetBucketWebsite", "PutBucketWebsite",
  "DeleteBucketWebsite", "GetBucketLogging", "PutBucketLogging", "GetAccelerateConfiguration",
  "PutAccelerateConfiguration", "GetBucketRequestPayment", "PutBucketRequestPayment",
];

/** Every known action (`s3:GetObject` …) → the kind of resource it applies to. */
export const S3_ACTIONS: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ...OBJECT_ACTIONS.map((a) => [`s3:${a}`, "object"] as [string, ResourceKind]),
  ...BUCKET_ACTIONS.map((a) => [`s3:${a}`, "bucket"] as [string, ResourceKind]),
  ["s3:ListAllMyBuckets", "service"],
]);

interface OperationAction {
  action: string;
  /** The action when the request names a version (`?versionId=`). */
  versioned?: string;
  kind: ResourceKind;
}

const obj = (action: string, versioned?: string): OperationAction => ({ action: `s3:${action}`, ...(versioned ? { versioned: `s3:${versioned}` } : {}), kind: "object" });
const bkt = (action: string): OperationAction => ({ action: `s3:${action}`, kind: "bucket" });

/** S3 API operation → the IAM action it is authorized as. */
export const OPERATION_ACTIONS = {
  ListBuckets: { action: "s3:ListAllMyBuckets", kind: "service" },
  GetObject: obj("GetObject", "GetObjectVersion"),
  HeadObject: obj("GetObject", "GetObjectVersion"),
  SelectObjectContent: obj("GetObject"),
  GetObjectAttributes: obj("GetObjectAttributes", "GetObjectVersionAttributes"),
  PutObject: obj("PutObject"),
  PostObject: obj("PutObject"),
  CopyObject: obj("PutObject"),
  CreateMultipartUpload: obj("PutObject"),
  UploadPart: obj("PutObject"),
  UploadPartCopy: obj("PutObject"),
  CompleteMultipartUpload: obj("PutObject"),
  AbortMultipartUpload: obj("AbortMultipartUpload"),
  ListParts: obj("ListMultipartUploadParts"),
  DeleteObject: obj("DeleteObject", "DeleteObjectVersion"),
  DeleteObjects: obj("DeleteObject", "DeleteObjectVersion"),
  GetObjectTagging: obj("GetObjectTagging", "GetObjectVersionTagging"),
  PutObjectTagging: obj("PutObjectTagging", "PutObjectVersionTagging"),
  DeleteObjectTagging: obj("DeleteObjectTagging", "DeleteObjectVersionTagging"),
  GetObjectAcl: obj("GetObjectAcl", "GetObjectVersionAcl"),
  PutObjectAcl: obj("PutObjectAcl", "PutObjectVersionAcl"),
  GetObjectRetention: obj("GetObjectRetention"),
  PutObjectRetention: obj("PutObjectRetention"),
  GetObjectLegalHold: obj("GetObjectLegalHold"),
  PutObjectLegalHold: obj("PutObjectLegalHold"),
  RestoreObject: obj("RestoreObject"),
  ListObjects: bkt("ListBucket"),
  ListObjectsV2: bkt("ListBucket"),
  HeadBucket: bkt("ListBucket"),
  ListObjectVersions: bkt("ListBucketVersions"),
  ListMultipartUploads: bkt("ListBucketMultipartUploads"),
  GetBucketLocation: bkt("GetBucketLocation"),
  CreateBucket: bkt("CreateBucket"),
  DeleteBucket: bkt("DeleteBucket"),
  GetBucketPolicy: bkt("GetBucketPolicy"),
  PutBucketPolicy: bkt("PutBucketPolicy"),
  DeleteBucketPolicy: bkt("DeleteBucketPolicy"),
  GetBucketPolicyStatus: bkt("GetBucketPolicyStatus"),
  GetBucketVersioning: bkt("GetBucketVersioning"),
  PutBucketVersioning: bkt("PutBucketVersioning"),
  GetBucketTagging: bkt("GetBucketTagging"),
  PutBucketTagging: bkt("PutBucketTagging"),
  DeleteBucketTagging: bkt("PutBucketTagging"),
  GetBucketCors: bkt("GetBucketCORS"),
  PutBucketCors: bkt("PutBucketCORS"),
  DeleteBucketCors: bkt("PutBucketCORS"),
  GetBucketLifecycleConfiguration: bkt("GetLifecycleConfiguration"),
  PutBucketLifecycleConfiguration: bkt("PutLifecycleConfiguration"),
  DeleteBucketLifecycle: bkt("PutLifecycleConfiguration"),
  GetObjectLockConfiguration: bkt("GetBucketObjectLockConfiguration"),
  PutObjectLockConfiguration: bkt("PutBucketObjectLockConfiguration"),
  GetBucketAcl: bkt("GetBucketAcl"),
  PutBucketAcl: bkt("PutBucketAcl"),
  GetBucketEncryption: bkt("GetEncryptionConfiguration"),
  PutBucketEncryption: bkt("PutEncryptionConfiguration"),
  DeleteBucketEncryption: bkt("PutEncryptionConfiguration"),
  GetBucketNotificationConfiguration: bkt("GetBucketNotification"),
  PutBucketNotificationConfiguration: bkt("PutBucketNotification"),
  GetPublicAccessBlock: bkt("GetBucketPublicAccessBlock"),
  PutPublicAccessBlock: bkt("PutBucketPublicAccessBlock"),
  DeletePublicAccessBlock: bkt("PutBucketPublicAccessBlock"),
  GetBucketOwnershipControls: bkt("GetBucketOwnershipControls"),
  PutBucketOwnershipControls: bkt("PutBucketOwnershipControls"),
  DeleteBucketOwnershipControls: bkt("PutBucketOwnershipControls"),
} as const satisfies Record<string, OperationAction>;

export type S3Operation = keyof typeof OPERATION_ACTIONS;

export interface AuthorizationTarget {
  action: string;
  /** `arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/key`, or `*` for ListBuckets. */
  resource: string;
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

/** The action and resource to evaluate for one S3 request. */
export function authorizationTarget(operation: S3Operation, req: { bucket?: string; key?: string; versionId?: string }): AuthorizationTarget {
  const entry: OperationAction = OPERATION_ACTIONS[operation];
  const action = req.versionId !== undefined && entry.versioned !== undefined ? entry.versioned : entry.action;
  if (entry.kind === "service") return { action, resource: "*" };
  const bucket = req.bucket ?? "";
  return { action, resource: entry.kind === "object" ? objectArn(bucket, req.key ?? "") : bucketArn(bucket) };
}
