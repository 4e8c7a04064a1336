/**
 * Typed errors of the ObjectLayer. Each carries the fields the S3 layer needs to build its
 * response (bucket, key, uploadId, …). Implementations throw these and nothing else; the S3
 * layer maps `kind` to an S3 code in one exhaustive switch.
 */
export type ObjectErrorInfo =
  | { kind: "BucketNotFound"; bucket: string }
  | { kind: "BucketExists"; bucket: string }
  | { kind: "BucketNotEmpty"; bucket: string }
  | { kind: "InvalidBucketName"; bucket: string }
  // deleteMarker/versionId: the latest version is a delete marker (S3 says so in headers).
  | { kind: "ObjectNotFound"; bucket: string; key: string; deleteMarker?: boolean; versionId?: string | null }
  | { kind: "VersionNotFound"; bucket: string; key: string; versionId: string }
  | { kind: "MethodNotAllowed"; bucket: string; key: string; reason: string; deleteMarker?: boolean; versionId?: string | null } // e.g. GET of a delete marker
  | { kind: "InvalidObjectName"; bucket: string; key: string; reason: string }
  | { kind: "KeyTooLong"; bucket: string; key: string }
  | { kind: "InvalidRange"; size: number }
  | { kind: "PreconditionFailed"; bucket: string; key: string }
  | { kind: "NotModified"; bucket: string; key: string; etag: string }
  | { kind: "UploadNotFound"; bucket: string; key: string; uploadId: string }
  | { kind: "InvalidPart"; partNumber: number; reason: string }
  | { kind: "InvalidPartOrder"; partNumber: number }
  | { kind: "EntityTooSmall"; partNumber: number; size: number }
  | { kind: "EntityTooLarge"; size: number; max: number }
  | { kind: "IncompleteBody"; expected: number; received: number }
  | { kind: "BadDigest"; expected: string; computed: string }
  | { kind: "InvalidArgument"; message: string }
  | { kind: "ObjectLocked"; bucket: string; key: string; versionId: string | null }
  | { kind: "InsufficientReadQuorum"; bucket: string; key: string; have: number; need: number }
  | { kind: "InsufficientWriteQuorum"; bucket: string; key: string; have: number; need: number }
  | { kind: "DriveNotFound"; drive: string }
  | { kind: "FileCorrupt"; bucket: string; key: string; detail: string }
  | { kind: "NotImplemented"; what: string };

export type ObjectErrorKind = ObjectErrorInfo["kind"];

export class ObjectError extends Error {
  readonly info: ObjectErrorInfo;
  constructor(info: ObjectErrorInfo, options?: { cause?: unknown }) {
    super(describe(info), options);
    this.name = "ObjectError";
    this.info = info;
  }
  get kind(): ObjectErrorKind {
    return this.info.kind;
  }
}

/** Narrowing helper: `isObjectError(e, "ObjectNotFound")`. */
export function isObjectError<K extends ObjectErrorKind>(
  e: unknown,
  kind?: K,
): e is ObjectError & { info: Extract<ObjectErrorInfo, { kind: K }> } {
  return e instanceof ObjectError && (kind === undefined || e.info.kind === kind);
}

function describe(info: ObjectErrorInfo): string {
  const { kind, ...rest } = info;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
  return fields ? `${kind}: ${fields}` : kind;
}
