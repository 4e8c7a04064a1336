/** What every verifier needs besides the request, and what it hands back. */
import type { ChunkSigning } from "./chunked";
import { AuthError } from "./errors";
import type { SecretLookup, SignatureKind } from "./types";

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

export async function secretFor(lookup: SecretLookup, accessKey: string): Promise<string> {
  const secret = await lookup(accessKey);
  if (secret === null) {
    throw new AuthError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  }
  return secret;
}
