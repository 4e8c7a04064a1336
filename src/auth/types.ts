/** Public shapes of the auth module (the S3 layer codes against these). */
import type { ChecksumAlgorithm, RequestQuery } from "../lib";

export type { ChecksumAlgorithm };

export interface AuthRequest {
  method: string;
  /** Full request URL including the raw query string. */
  url: URL;
  headers: Headers;
  /** `url`'s query, when the caller has parsed it already (else the verifier parses it). */
  query?: RequestQuery;
}

/** An AuthRequest whose query has been parsed. */
export type QueriedRequest = AuthRequest & { query: RequestQuery };

/** Returns the secret key for an access key, or null when the key is unknown. */
export type SecretLookup = (accessKey: string) => Promise<string | null>;

export type SignatureKind = "v4" | "v4-presigned" | "v2" | "v2-presigned" | "anonymous";

export interface VerifiedRequest {
  /** null = anonymous (no auth at all). */
  accessKey: string | null;
  /**
   * The payload as the application sees it: aws-chunked decoded, with the SHA-256, chunk
   * signatures, trailer and header checksums verified as bytes flow. On any mismatch the stream
   * errors with an AuthError before it signals end, so a consumer that reads to the end never
   * commits bad data. null when the request has no body. Content-MD5 is not checked here.
   */
  body: ReadableStream<Uint8Array> | null;
  /** Decoded payload length if known (x-amz-decoded-content-length or Content-Length), else -1. */
  contentLength: number;
  /**
   * Flexible checksums sent by the client (header or trailer), base64 as in S3 headers,
   * verified. Complete only after `body` has been read to the end.
   */
  checksums(): Partial<Record<ChecksumAlgorithm, string>>;
  signature: SignatureKind;
}

export interface VerifyOptions {
  /** When set, a V4 credential scope naming another region is rejected. */
  region?: string;
  /** Clock for skew and expiry checks (tests). */
  now?: Date;
  /** V4 service name expected in the credential scope; default "s3". */
  service?: string;
  /**
   * For virtual-hosted-style requests (`bucket.host/key`): the bucket name, which SigV2's
   * canonical resource must include although it is not in the path.
   */
  virtualHostBucket?: string;
}
