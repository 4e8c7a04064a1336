/**
 * Public surface of src/auth: request verification and client-side signing.
 *
 * For the S3 layer: call `verifyRequest({ method, url, headers }, request.body, lookup, opts)`
 * before anything else and read the object bytes only from `verified.body` (never the raw
 * request body: it may be aws-chunked framing). Notes:
 *  - every failure is an `AuthError` whose `code` is the S3 error code (`status` the HTTP one);
 *    body failures arrive as the stream's error, before its end;
 *  - `Content-Encoding: aws-chunked` is transport framing: store `storedContentEncoding(value)`;
 *  - `opts.virtualHostBucket` is needed for SigV2 on virtual-hosted-style requests;
 *  - `verifyPostPolicy(formFieldsBeforeFile, bucket, lookup)` for browser POST uploads, then
 *    `checkContentLength(size)` after the file has been streamed;
 *  - Bun normalises `.`/`..` path segments in `request.url` (even `%2e%2e`), so keys containing
 *    such segments are altered before they reach us and their signatures cannot match.
 */
export { verifyRequest } from "./verify";
export { verifyPostPolicy, type VerifiedPost } from "./post-policy";
export { AuthError, AUTH_ERROR_STATUS, isAuthError, type AuthErrorCode } from "./errors";
export type { AuthRequest, SecretLookup, VerifiedRequest, VerifyOptions, SignatureKind, ChecksumAlgorithm } from "./types";
export {
  signRequestV4,
  presignV4,
  encodeAwsChunked,
  signRequestV2,
  presignV2,
  signPostPolicy,
  type PostPolicyInput,
  type Credentials,
  type SignV4Input,
  type SignedV4,
  type PresignV4Input,
  type EncodeChunkedOptions,
  type SignV2Input,
} from "./signer";
export type { ChunkSigning } from "./chunked";
export { STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, storedContentEncoding } from "./payload";
export { UNSIGNED_PAYLOAD, MAX_PRESIGN_EXPIRES } from "./v4";
export { EMPTY_SHA256 } from "./crypto";
