/** What every verifier needs besides the request, and what it hands back. */
import type { ChunkSigning } from "./chunked";
import type { SignatureKind } from "./types";

export interface VerifyContext {
  now: Date;
  region: string | undefined;
  service: string;
  virtualHostBucket: string | undefined;
}

export interface Authenticated {
  accessKey: string | null;
  signature: SignatureKind;
  /**
   * The payload hash the signature covers (x-amz-content-sha256 or its presigned equivalent),
   * or null when the scheme does not sign one (V2, anonymous).
   */
  payloadHash: string | null;
  /** Present for SigV4 header auth: what aws-chunked signed chunks chain from. */
  chunkSigning: ChunkSigning | null;
}

/** AWS allows 15 minutes of clock skew between client and server. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
