/**
 * Client-side signing: SigV4 headers and presigned URLs, aws-chunked encoding with chunk and
 * trailer signatures, and SigV2 (for testing legacy clients). Shared by the CLI, tests and bench.
 */
import { checksumHeaderName, createChecksum, toBase64, type ChecksumAlgorithm } from "../lib";
import { chunkStringToSign, trailerStringToSign, type ChunkSigning } from "./chunked";
import { EMPTY_SHA256, hmacSha1Base64, hmacSha256Hex, sha256Hex } from "./crypto";
import { canonicalRequest, formatAmzDate, scopeString, signatureHex, signingKey, stringToSign, V4_ALGORITHM, type CredentialScope } from "./sigv4";
import { v2StringToSign, V2_SUBRESOURCES as SUBRESOURCE_SET } from "./v2";

/** Anything `new Headers()` accepts. */
export type HeaderInput = Headers | Record<string, string> | [string, string][];

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignV4Input {
  method: string;
  url: URL;
  headers?: HeaderInput;
  credentials: Credentials;
  region: string;
  /** Default "s3". */
  service?: string;
  /** Default now. */
  date?: Date;
  /** Hex SHA-256 of the body, UNSIGNED-PAYLOAD or a STREAMING-* value. Default: the empty body's hash. */
  payloadHash?: string;
}

export interface SignedV4 {
  /** The input headers plus host, x-amz-date, x-amz-content-sha256 and authorization. */
  headers: Headers;
  signature: string;
  /** Seed for `encodeAwsChunked` when the payload hash is a signed STREAMING-* value. */
  chunkSigning: ChunkSigning;
}

/** Headers a signer must not sign: they are rewritten in transit or are the signature itself. */
const UNSIGNABLE = new Set(["authorization", "user-agent", "expect", "x-amzn-trace-id", "connection", "transfer-encoding"]);

function scopeFor(input: { date: Date; region: string; service?: string }): CredentialScope {
  return { date: formatAmzDate(input.date).slice(0, 8), region: input.region, service: input.service ?? "s3" };
}

/** Signs a request with SigV4 in the Authorization header (all present headers are signed). */
export function signRequestV4(input: SignV4Input): SignedV4 {
  const date = input.date ?? new Date();
  const amzDate = formatAmzDate(date);
  const scope = scopeFor({ date, region: input.region, service: input.service });
  const payloadHash = input.payloadHash ?? EMPTY_SHA256;
  const headers = new Headers(input.headers);
  headers.set("host", input.url.host);
  headers.set("x-amz-date", amzDate);
  headers.set("x-amz-content-sha256", payloadHash);
  if (input.credentials.sessionToken) headers.set("x-amz-security-token", input.credentials.sessionToken);
  const signedHeaders = [...headers.keys()].filter((h) => !UNSIGNABLE.has(h)).sort();
  const canonical = canonicalRequest({ method: input.method, url: input.url, headers, signedHeaders, payloadHash });
  const key = signingKey(input.credentials.secretAccessKey, scope);
  const signature = signatureHex(key, stringToSign(amzDate, scope, canonical!));
  headers.set(
    "authorization",
    `${V4_ALGORITHM} Credential=${input.credentials.accessKeyId}/${scopeString(scope)}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`,
  );
  return { headers, signature, chunkSigning: { key, amzDate, scope: scopeString(scope), seedSignature: signature } };
}

export interface PresignV4Input extends Omit<SignV4Input, "payloadHash"> {
  /** Seconds, at most 604800. */
  expiresIn: number;
}

/** Returns the presigned URL; only `host` (and any given headers) are signed. */
export function presignV4(input: PresignV4Input): URL {
  const date = input.date ?? new Date();
  const amzDate = formatAmzDate(date);
  const scope = scopeFor({ date, region: input.region, service: input.service });
  const headers = new Headers(input.headers);
  headers.set("host", input.url.host);
  const signedHeaders = [...headers.keys()].filter((h) => !UNSIGNABLE.has(h)).sort();
  const url = new URL(input.url);
  const q = url.searchParams;
  q.set("X-Amz-Algorithm", V4_ALGORITHM);
  q.set("X-Amz-Credential", `${input.credentials.accessKeyId}/${scopeString(scope)}`);
  q.set("X-Amz-Date", amzDate);
  q.set("X-Amz-Expires", String(input.expiresIn));
  q.set("X-Amz-SignedHeaders", signedHeaders.join(";"));
  if (input.credentials.sessionToken) q.set("X-Amz-Security-Token", input.credentials.sessionToken);
  // URLSearchParams writes spaces as '+'; the canonical form and S3 both want %20.
  url.search = url.search.replace(/\+/g, "%20");
  const canonical = canonicalRequest({ method: input.method, url, headers, signedHeaders, payloadHash: "UNSIGNED-PAYLOAD" });
  const key = signingKey(input.credentials.secretAccessKey, scope);
  url.searchParams.set("X-Amz-Signature", signatureHex(key, stringToSign(amzDate, scope, canonical!)));
  url.search = url.search.replace(/\+/g, "%20");
  return url;
}

export interface EncodeChunkedOptions {
  /** From `signRequestV4` with a signed STREAMING-* payload hash; null for unsigned chunks. */
  signing: ChunkSigning | null;
  /** Decoded bytes per chunk; default 64 KiB. */
  chunkSize?: number;
  /** Send this checksum of the payload as a trailer (x-amz-trailer must declare it). */
  trailerChecksum?: ChecksumAlgorithm;
}

const encoder = new TextEncoder();

/** Encodes `body` as aws-chunked, signing each chunk (and the trailer) when `signing` is set. */
export function encodeAwsChunked(body: AsyncIterable<Uint8Array>, opts: EncodeChunkedOptions): ReadableStream<Uint8Array> {
  const chunkSize = opts.chunkSize ?? 64 * 1024;
  const checksum = opts.trailerChecksum ? createChecksum(opts.trailerChecksum) : null;
  let previous = opts.signing?.seedSignature ?? "";
  const frame = (data: Uint8Array): Uint8Array[] => {
    checksum?.update(data);
    let head = data.length.toString(16);
    if (opts.signing) {
      previous = hmacSha256Hex(opts.signing.key, chunkStringToSign(opts.signing, previous, sha256Hex(data)));
      head += `;chunk-signature=${previous}`;
    }
    return data.length > 0 ? [encoder.encode(head + "\r\n"), data, encoder.encode("\r\n")] : [encoder.encode(head + "\r\n")];
  };
  const trailer = async (): Promise<Uint8Array> => {
    if (!checksum || !opts.trailerChecksum) return encoder.encode("\r\n");
    const line = `${checksumHeaderName(opts.trailerChecksum)}:${toBase64(await checksum.digest())}`;
    if (!opts.signing) return encoder.encode(`${line}\r\n\r\n`);
    const sig = hmacSha256Hex(opts.signing.key, trailerStringToSign(opts.signing, previous, line + "\n"));
    return encoder.encode(`${line}\r\nx-amz-trailer-signature:${sig}\r\n\r\n`);
  };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let pending = new Uint8Array(0);
      for await (const piece of body) {
        const joined = new Uint8Array(pending.length + piece.length);
        joined.set(pending);
        joined.set(piece, pending.length);
        let pos = 0;
        for (; joined.length - pos >= chunkSize; pos += chunkSize) frame(joined.slice(pos, pos + chunkSize)).forEach((b) => controller.enqueue(b));
        pending = joined.slice(pos);
      }
      if (pending.length > 0) frame(pending).forEach((b) => controller.enqueue(b));
      frame(new Uint8Array(0)).forEach((b) => controller.enqueue(b));
      controller.enqueue(await trailer());
      controller.close();
    },
  });
}

export interface SignV2Input {
  method: string;
  url: URL;
  headers?: HeaderInput;
  credentials: Credentials;
  /** Default now. */
  date?: Date;
  /** Bucket for virtual-hosted-style URLs (not in the path). */
  virtualHostBucket?: string;
}

function v2Resource(url: URL, bucket: string | undefined): string {
  const subs = [...url.searchParams.entries()].filter(([k]) => SUBRESOURCE_SET.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const suffix = subs.length ? "?" + subs.map(([k, v]) => (v === "" ? k : `${k}=${v}`)).join("&") : "";
  return (bucket === undefined ? "" : `/${bucket}`) + url.pathname + suffix;
}


/** Signs with SigV2 in the Authorization header (legacy clients; tests). */
export function signRequestV2(input: SignV2Input): Headers {
  const headers = new Headers(input.headers);
  if (!headers.has("x-amz-date")) headers.set("date", (input.date ?? new Date()).toUTCString());
  // With x-amz-date the Date line is empty; x-amz-date is signed among the amz headers.
  const dateOrExpires = headers.get("date") ?? "";
  const toSign = v2StringToSign({ method: input.method, headers, dateOrExpires, resource: v2Resource(input.url, input.virtualHostBucket) });
  headers.set("authorization", `AWS ${input.credentials.accessKeyId}:${hmacSha1Base64(input.credentials.secretAccessKey, toSign)}`);
  return headers;
}

/** Presigned V2 URL valid until `expires`. */
export function presignV2(input: Omit<SignV2Input, "date"> & { expires: Date }): URL {
  const expires = String(Math.floor(input.expires.getTime() / 1000));
  const headers = new Headers(input.headers);
  const toSign = v2StringToSign({ method: input.method, headers, dateOrExpires: expires, resource: v2Resource(input.url, input.virtualHostBucket) });
  const url = new URL(input.url);
  url.searchParams.set("AWSAccessKeyId", input.credentials.accessKeyId);
  url.searchParams.set("Expires", expires);
  url.searchParams.set("Signature", hmacSha1Base64(input.credentials.secretAccessKey, toSign));
  return url;
}

export interface PostPolicyInput {
  bucket: string;
  credentials: Credentials;
  region: string;
  /** Default now. */
  date?: Date;
  expiration: Date;
  /** Conditions besides bucket and the x-amz-* signing fields, which are added. */
  conditions: unknown[];
}

/** Builds the signed SigV4 form fields (policy, x-amz-*) for a browser POST upload. */
export function signPostPolicy(input: PostPolicyInput): Record<string, string> {
  const date = input.date ?? new Date();
  const amzDate = formatAmzDate(date);
  const scope = scopeFor({ date, region: input.region });
  const credential = `${input.credentials.accessKeyId}/${scopeString(scope)}`;
  const doc = {
    expiration: input.expiration.toISOString(),
    conditions: [
      { bucket: input.bucket },
      ...input.conditions,
      { "x-amz-credential": credential },
      { "x-amz-algorithm": V4_ALGORITHM },
      { "x-amz-date": amzDate },
    ],
  };
  const policy = Buffer.from(JSON.stringify(doc)).toString("base64");
  return {
    policy,
    "x-amz-credential": credential,
    "x-amz-algorithm": V4_ALGORITHM,
    "x-amz-date": amzDate,
    "x-amz-signature": signatureHex(signingKey(input.credentials.secretAccessKey, scope), policy),
  };
}
