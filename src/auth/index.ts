/** Public surface of src/auth: request verification and client-side signing. */
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
export { STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER } from "./payload";
export { UNSIGNED_PAYLOAD, MAX_PRESIGN_EXPIRES } from "./v4";
export { EMPTY_SHA256 } from "./crypto";
