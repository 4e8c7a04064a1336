/** `verifyRequest`: authenticates a request and wraps its body in the verifying payload stream. */
import { AuthError } from "./errors";
import type { Authenticated, VerifyContext } from "./context";
import { buildPayload } from "./payload";
import { V4_ALGORITHM } from "./sigv4";
import { RequestQuery } from "../lib/index";
import { verifyV2Header, verifyV2Presigned } from "./v2";
import { verifyV4Header, verifyV4Presigned } from "./v4";
import type { AuthRequest, QueriedRequest, SecretLookup, VerifiedRequest, VerifyOptions } from "./types";

async function authenticate(req: QueriedRequest, lookup: SecretLookup, ctx: VerifyContext): Promise<Authenticated> {
  const header = req.headers.get("authorization");
  const q = req.query;
  const v4Query = q.has("X-Amz-Algorithm") || q.has("X-Amz-Credential") || q.has("X-Amz-Signature");
  const v2Query = q.has("AWSAccessKeyId") || (q.has("Signature") && q.has("Expires"));
  if (Number(header !== null) + Number(v4Query) + Number(v2Query) > 1) {
    throw new AuthError("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified");
  }
  if (header !== null) {
    if (header.startsWith(V4_ALGORITHM + " ")) return verifyV4Header(req, header, lookup, ctx);
    if (header.startsWith("AWS ")) return verifyV2Header(req, header, lookup, ctx);
    if (header.startsWith("AWS4-ECDSA-P256-SHA256")) throw new AuthError("NotImplemented", "SigV4a (ECDSA) signing is not supported.");
    throw new AuthError("InvalidArgument", "Unsupported Authorization Type");
  }
  if (v4Query) return verifyV4Presigned(req, lookup, ctx);
  if (v2Query) return verifyV2Presigned(req, lookup, ctx);
  return { accessKey: null, signature: "anonymous", payloadHash: null, chunkSigning: null };
}

/**
 * Verifies the request's signature (SigV4 header or presigned, SigV2 header or presigned, or
 * none) and returns the payload stream that verifies the body as it is read.
 * Throws AuthError for anything wrong with the request head; body problems surface as an
 * AuthError from the returned stream, before its end.
 */
export async function verifyRequest(
  req: AuthRequest,
  body: ReadableStream<Uint8Array> | null,
  lookup: SecretLookup,
  opts: VerifyOptions = {},
): Promise<VerifiedRequest> {
  const ctx: VerifyContext = {
    now: opts.now ?? new Date(),
    region: opts.region,
    service: opts.service ?? "s3",
    virtualHostBucket: opts.virtualHostBucket,
  };
  const queried = req.query ? (req as QueriedRequest) : { ...req, query: new RequestQuery(req.url.search) };
  const auth = await authenticate(queried, lookup, ctx);
  const payload = await buildPayload(auth, req.headers, body);
  return { accessKey: auth.accessKey, signature: auth.signature, ...payload };
}
