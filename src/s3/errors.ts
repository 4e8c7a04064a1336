/**
 * The S3 error vocabulary: one table of codes (status + AWS default message) and the two
 * mappings into it, from ObjectError kinds (exhaustive: a new kind fails the type check here)
 * and from AuthError codes.
 */
import type { AuthError, AuthErrorCode } from "../auth/index";
import { BucketConfigError } from "../bucket/index";
import { PolicyError } from "../iam/index";
import { ObjectError, type ObjectErrorInfo } from "../object/index";

export const S3_ERRORS = {
  AccessDenied: [403, "Access Denied."],
  AccessForbidden: [403, "CORSResponse: This CORS request is not allowed."],
  BadRequest: [400, "Bad Request"],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed."],
  AuthorizationQueryParametersError: [400, "Error parsing the X-Amz-Credential parameter."],
  BadDigest: [400, "The Content-MD5 you specified did not match what we received."],
  BucketAlreadyExists: [409, "The requested bucket name is not available."],
  BucketAlreadyOwnedByYou: [409, "Your previous request to create the named bucket succeeded and you already own it."],
  BucketNotEmpty: [409, "The bucket you tried to delete is not empty."],
  EntityTooLarge: [400, "Your proposed upload exceeds the maximum allowed object size."],
  EntityTooSmall: [400, "Your proposed upload is smaller than the minimum allowed object size."],
  ExpiredToken: [400, "The provided token has expired."],
  IllegalLocationConstraintException: [400, "The specified location-constraint is not valid for this endpoint."],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length HTTP header."],
  InternalError: [500, "We encountered an internal error. Please try again."],
  InvalidAccessKeyId: [403, "The AWS Access Key Id you provided does not exist in our records."],
  InvalidArgument: [400, "Invalid Argument"],
  InvalidBucketState: [409, "The request is not valid with the current state of the bucket."],
  InvalidBucketName: [400, "The specified bucket is not valid."],
  InvalidDigest: [400, "The Content-MD5 you specified is not valid."],
  InvalidObjectName: [400, "Object name contains unsupported characters."],
  InvalidPart: [400, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."],
  InvalidPolicyDocument: [400, "The content of the form does not meet the conditions specified in the policy document."],
  InvalidPartOrder: [400, "The list of parts was not in ascending order. Parts must be ordered by part number."],
  InvalidRange: [416, "The requested range is not satisfiable"],
  InvalidRequest: [400, "Invalid Request"],
  InvalidRetentionPeriod: [400, "The retention period is not valid."],
  InvalidStorageClass: [400, "The storage class you specified is not valid."],
  InvalidTag: [400, "The tag provided was not a valid tag."],
  InvalidToken: [400, "The provided token is malformed or otherwise invalid."],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  KeyTooLongError: [400, "Your key is too long."],
  MalformedPOSTRequest: [400, "The body of your POST request is not well-formed multipart/form-data."],
  MalformedPolicy: [400, "Policies must be valid JSON and the first byte must be '{'"],
  MalformedXML: [400, "The XML you provided was not well-formed or did not validate against our published schema."],
  MetadataTooLarge: [400, "Your metadata headers exceed the maximum allowed metadata size."],
  MaxPostPreDataLengthExceededError: [400, "Your POST request fields preceeding the upload file was too large."],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  MissingContentLength: [411, "You must provide the Content-Length HTTP header."],
  MissingRequestBodyError: [400, "Request Body is empty."],
  MissingSecurityHeader: [400, "Your request is missing a required header."],
  NoSuchBucket: [404, "The specified bucket does not exist."],
  NoSuchBucketPolicy: [404, "The bucket policy does not exist"],
  NoSuchCORSConfiguration: [404, "The CORS configuration does not exist"],
  NoSuchLifecycleConfiguration: [404, "The lifecycle configuration does not exist"],
  NoSuchObjectLockConfiguration: [404, "The specified object does not have a ObjectLock configuration"],
  NoSuchKey: [404, "The specified key does not exist."],
  NoSuchTagSet: [404, "The TagSet does not exist."],
  NoSuchUpload: [404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."],
  NoSuchVersion: [404, "The specified version does not exist."],
  NotImplemented: [501, "A header you provided implies functionality that is not implemented."],
  NotModified: [304, "Not Modified"],
  ObjectLockConfigurationNotFoundError: [404, "Object Lock configuration does not exist for this bucket"],
  PreconditionFailed: [412, "At least one of the pre-conditions you specified did not hold."],
  RequestTimeTooSkewed: [403, "The difference between the request time and the server's time is too large."],
  ServerSideEncryptionConfigurationNotFoundError: [404, "The server side encryption configuration was not found"],
  ServiceUnavailable: [503, "Service is unable to handle request."],
  SignatureDoesNotMatch: [403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."],
  SlowDown: [503, "Please reduce your request rate."],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
} as const satisfies Record<string, readonly [number, string]>;

export type S3Code = keyof typeof S3_ERRORS;

export function isS3Code(code: string): code is S3Code {
  return Object.hasOwn(S3_ERRORS, code);
}

export interface S3ErrorInit {
  message?: string;
  bucket?: string;
  key?: string;
  /** Extra response headers (x-amz-delete-marker, Content-Range, ETag, …). */
  headers?: Record<string, string>;
  /** Extra child elements of `<Error>` (ArgumentName, ActualObjectSize, …). */
  fields?: Record<string, string>;
  cause?: unknown;
}

/** An error the front answers with: an S3 code plus what the XML and headers need. */
export class S3Error extends Error {
  readonly code: S3Code;
  readonly status: number;
  readonly bucket?: string;
  readonly key?: string;
  readonly headers: Record<string, string>;
  readonly fields: Record<string, string>;
  constructor(code: S3Code, init: S3ErrorInit = {}) {
    super(init.message ?? S3_ERRORS[code][1], { cause: init.cause });
    this.name = "S3Error";
    this.code = code;
    this.status = S3_ERRORS[code][0];
    this.bucket = init.bucket;
    this.key = init.key;
    this.headers = init.headers ?? {};
    this.fields = init.fields ?? {};
  }
}

/** A request that met a delete marker says so, with the marker's version id when it has one. */
function deleteMarkerHeaders(info: { deleteMarker?: boolean; versionId?: string | null }): Record<string, string> {
  if (!info.deleteMarker) return {};
  return { "x-amz-delete-marker": "true", ...(info.versionId ? { "x-amz-version-id": info.versionId } : {}) };
}

/**
 * Object-layer error → S3 error. Exhaustive: adding a kind to ObjectErrorInfo breaks this switch.
 * Longer than 50 lines on purpose: one case per kind in one place is what makes it checkable.
 */
export function fromObjectError(err: ObjectError): S3Error {
  const info: ObjectErrorInfo = err.info;
  const cause = err;
  switch (info.kind) {
    case "BucketNotFound":
      return new S3Error("NoSuchBucket", { bucket: info.bucket, cause });
    case "BucketExists":
      return new S3Error("BucketAlreadyOwnedByYou", { bucket: info.bucket, cause });
    case "BucketNotEmpty":
      return new S3Error("BucketNotEmpty", { bucket: info.bucket, cause });
    case "InvalidBucketName":
      return new S3Error("InvalidBucketName", { bucket: info.bucket, cause });
    case "ObjectNotFound":
      return new S3Error("NoSuchKey", { bucket: info.bucket, key: info.key, headers: deleteMarkerHeaders(info), cause });
    case "VersionNotFound":
      return new S3Error("NoSuchVersion", {
        bucket: info.bucket,
        key: info.key,
        fields: { VersionId: info.versionId },
        cause,
      });
    case "MethodNotAllowed":
      // S3 answers a request for a delete marker with 405 and says so in a header.
      return new S3Error("MethodNotAllowed", {
        bucket: info.bucket,
        key: info.key,
        headers: { "x-amz-delete-marker": "true", ...deleteMarkerHeaders(info) },
        cause,
      });
    case "InvalidObjectName":
      return new S3Error("InvalidObjectName", { bucket: info.bucket, key: info.key, message: info.reason, cause });
    case "KeyTooLong":
      return new S3Error("KeyTooLongError", { bucket: info.bucket, key: info.key, cause });
    case "InvalidRange":
      return new S3Error("InvalidRange", {
        headers: { "content-range": `bytes */${info.size}` },
        fields: { ActualObjectSize: String(info.size) },
        cause,
      });
    case "PreconditionFailed":
      return new S3Error("PreconditionFailed", { bucket: info.bucket, key: info.key, cause });
    case "NotModified":
      return new S3Error("NotModified", { bucket: info.bucket, key: info.key, headers: { etag: `"${info.etag}"` }, cause });
    case "UploadNotFound":
      return new S3Error("NoSuchUpload", {
        bucket: info.bucket,
        key: info.key,
        fields: { UploadId: info.uploadId },
        cause,
      });
    case "InvalidPart":
      return new S3Error("InvalidPart", { fields: { PartNumber: String(info.partNumber) }, cause });
    case "InvalidPartOrder":
      return new S3Error("InvalidPartOrder", { fields: { PartNumber: String(info.partNumber) }, cause });
    case "EntityTooSmall":
      return new S3Error("EntityTooSmall", {
        fields: { PartNumber: String(info.partNumber), ProposedSize: String(info.size), MinSizeAllowed: "5242880" },
        cause,
      });
    case "EntityTooLarge":
      return new S3Error("EntityTooLarge", {
        fields: { ProposedSize: String(info.size), MaxSizeAllowed: String(info.max) },
        cause,
      });
    case "IncompleteBody":
      return new S3Error("IncompleteBody", { cause });
    case "BadDigest":
      return new S3Error("BadDigest", { fields: { ExpectedDigest: info.expected }, cause });
    case "InvalidArgument":
      return new S3Error("InvalidArgument", { message: info.message, cause });
    case "ObjectLocked":
      return new S3Error("AccessDenied", {
        bucket: info.bucket,
        key: info.key,
        message: "Access Denied because object protected by object lock.",
        cause,
      });
    case "InsufficientReadQuorum":
    case "InsufficientWriteQuorum":
      return new S3Error("SlowDown", { bucket: info.bucket, key: info.key, cause });
    case "DriveNotFound":
      return new S3Error("ServiceUnavailable", { cause });
    case "FileCorrupt":
      return new S3Error("InternalError", { bucket: info.bucket, key: info.key, cause });
    case "NotImplemented":
      return new S3Error("NotImplemented", { cause });
    default: {
      const _never: never = info;
      return _never;
    }
  }
}

/** AuthError code → S3 code; a Record so a new auth code fails the type check until mapped. */
const AUTH_CODES: Record<AuthErrorCode, S3Code> = {
  AccessDenied: "AccessDenied",
  AuthorizationHeaderMalformed: "AuthorizationHeaderMalformed",
  AuthorizationQueryParametersError: "AuthorizationQueryParametersError",
  BadDigest: "BadDigest",
  EntityTooLarge: "EntityTooLarge",
  EntityTooSmall: "EntityTooSmall",
  ExpiredToken: "ExpiredToken",
  IncompleteBody: "IncompleteBody",
  InvalidAccessKeyId: "InvalidAccessKeyId",
  InvalidArgument: "InvalidArgument",
  InvalidDigest: "InvalidDigest",
  InvalidPolicyDocument: "InvalidPolicyDocument",
  InvalidRequest: "InvalidRequest",
  MissingContentLength: "MissingContentLength",
  MissingSecurityHeader: "MissingSecurityHeader",
  NotImplemented: "NotImplemented",
  RequestTimeTooSkewed: "RequestTimeTooSkewed",
  SignatureDoesNotMatch: "SignatureDoesNotMatch",
  // AWS answers an unsupported signing scheme with InvalidRequest.
  UnsupportedAuthorization: "InvalidRequest",
  XAmzContentSHA256Mismatch: "XAmzContentSHA256Mismatch",
};

/** AuthError → S3 error; auth's messages are written to be safe for clients. */
export function fromAuthError(err: AuthError): S3Error {
  return new S3Error(AUTH_CODES[err.code], { message: err.message, cause: err });
}

/** Any thrown value → S3 error; unknown failures become InternalError. */
export function toS3Error(err: unknown): S3Error {
  if (err instanceof S3Error) return err;
  if (err instanceof ObjectError) return fromObjectError(err);
  if (err instanceof PolicyError) return new S3Error("MalformedPolicy", { message: err.message, cause: err });
  if (err instanceof BucketConfigError) return new S3Error(err.code, { message: err.message, cause: err });
  return new S3Error("InternalError", { cause: err });
}
