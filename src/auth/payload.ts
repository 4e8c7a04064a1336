/**
 * Turns the request body into the verified payload stream: decides the framing from
 * x-amz-content-sha256, collects the expected checksums (header or trailer) and wires the checks.
 */
import { AuthError } from "./errors";
import { CHECKSUM_ALGORITHMS, CHECKSUM_LENGTH, checksumHeaderName, fromBase64, isChecksumAlgorithm, type ChecksumAlgorithm } from "../lib";
import { checkedStream, ChecksumCheck, CompositeCheck, LengthCheck, Sha256Check, type PayloadCheck } from "./checks";
import { decodeAwsChunked, type AwsChunkedOptions } from "./chunked";
import { isSha256Hex } from "./crypto";
import type { Authenticated } from "./context";

export const STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
export const STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
export const STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
const STREAMING_ECDSA = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";

type Framing =
  | { kind: "plain"; sha256: string | null }
  | { kind: "chunked"; options: AwsChunkedOptions };

function framingOf(auth: Authenticated, headers: Headers): Framing {
  const hash = auth.payloadHash ?? headers.get("x-amz-content-sha256");
  if (hash === null || hash === "UNSIGNED-PAYLOAD") return { kind: "plain", sha256: null };
  if (isSha256Hex(hash)) return { kind: "plain", sha256: hash };
  if (hash === STREAMING_UNSIGNED_TRAILER) return { kind: "chunked", options: { signing: null, withTrailer: true } };
  if (hash === STREAMING_SIGNED || hash === STREAMING_SIGNED_TRAILER) {
    if (auth.chunkSigning === null) {
      throw new AuthError("InvalidRequest", `${hash} requires AWS Signature Version 4 in the Authorization header.`);
    }
    return { kind: "chunked", options: { signing: auth.chunkSigning, withTrailer: hash === STREAMING_SIGNED_TRAILER } };
  }
  if (hash.startsWith(STREAMING_ECDSA)) throw new AuthError("NotImplemented", "SigV4a (ECDSA) signing is not supported.");
  throw new AuthError("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
}

interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  /** null: the value arrives in the aws-chunked trailer. */
  value: string | null;
}

/** Each algorithm with its header name, built once: every request looks for all of them. */
const CHECKSUM_HEADERS = CHECKSUM_ALGORITHMS.map((algorithm) => [algorithm, checksumHeaderName(algorithm)] as const);

function headerChecksums(headers: Headers): ExpectedChecksum[] {
  const found: ExpectedChecksum[] = [];
  for (const [algorithm, name] of CHECKSUM_HEADERS) {
    const value = headers.get(name);
    if (value === null) continue;
    const bytes = fromBase64(value.trim());
    if (bytes === null || bytes.length !== CHECKSUM_LENGTH[algorithm]) {
      throw new AuthError("InvalidRequest", `Value for ${name} header is invalid.`);
    }
    found.push({ algorithm, value: value.trim() });
  }
  return found;
}

function trailerChecksums(headers: Headers, framing: Framing): ExpectedChecksum[] {
  const declared = headers.get("x-amz-trailer");
  if (declared === null || declared.trim() === "") return [];
  if (framing.kind !== "chunked" || !framing.options.withTrailer) {
    throw new AuthError("InvalidRequest", "x-amz-trailer is only valid with a STREAMING-…-TRAILER x-amz-content-sha256.");
  }
  return declared.split(",").map((raw) => {
    const name = raw.trim().toLowerCase();
    const algorithm = name.startsWith("x-amz-checksum-") ? name.slice("x-amz-checksum-".length).toUpperCase() : "";
    if (!isChecksumAlgorithm(algorithm)) throw new AuthError("InvalidRequest", `The trailer ${name} is not supported.`);
    return { algorithm, value: null };
  });
}

/** The checksum the client asks the server to verify: at most one, from a header or the trailer. */
function expectedChecksum(headers: Headers, framing: Framing): ExpectedChecksum | null {
  const all = [...headerChecksums(headers), ...trailerChecksums(headers, framing)];
  if (all.length > 1) {
    throw new AuthError("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  }
  const sdk = headers.get("x-amz-sdk-checksum-algorithm");
  const chosen = all[0] ?? null;
  if (sdk !== null && chosen !== null && sdk.trim().toUpperCase() !== chosen.algorithm) {
    throw new AuthError("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
  }
  if (sdk !== null && chosen === null && isChecksumAlgorithm(sdk.trim().toUpperCase())) {
    throw new AuthError("InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
  }
  return chosen;
}

function parseLength(value: string | null, header: string): number {
  if (value === null) return -1;
  if (!/^\d+$/.test(value.trim())) throw new AuthError("InvalidArgument", `Invalid ${header} header.`);
  return Number(value.trim());
}

export interface Payload {
  body: ReadableStream<Uint8Array> | null;
  contentLength: number;
  checksums(): Partial<Record<ChecksumAlgorithm, string>>;
}

export async function buildPayload(auth: Authenticated, headers: Headers, body: ReadableStream<Uint8Array> | null): Promise<Payload> {
  const framing = framingOf(auth, headers);
  const expected = expectedChecksum(headers, framing);
  const results: Partial<Record<ChecksumAlgorithm, string>> = {};
  const checks: PayloadCheck[] = [];
  if (expected) checks.push(new ChecksumCheck(expected.algorithm, expected.value, results));
  const checksums = () => ({ ...results });
  if (framing.kind === "chunked") {
    const decodedLength = parseLength(headers.get("x-amz-decoded-content-length"), "x-amz-decoded-content-length");
    if (decodedLength >= 0) checks.push(new LengthCheck(decodedLength));
    if (body === null) throw new AuthError("IncompleteBody", "The request body terminated unexpectedly.");
    return { body: decodeAwsChunked(body, framing.options, new CompositeCheck(checks)), contentLength: decodedLength, checksums };
  }
  if (framing.sha256 !== null) checks.push(new Sha256Check(framing.sha256));
  const contentLength = parseLength(headers.get("content-length"), "Content-Length");
  const check = new CompositeCheck(checks);
  if (body === null) {
    // Nothing to stream: verify the declared digests against the empty payload now.
    await check.finish(new Map());
    return { body: null, contentLength, checksums };
  }
  return { body: check.empty ? body : checkedStream(body, check), contentLength, checksums };
}

/**
 * The Content-Encoding to store with the object: `aws-chunked` is transport framing that
 * verifyRequest has already removed, so it is dropped; null when nothing else remains.
 */
export function storedContentEncoding(value: string | null): string | null {
  if (value === null) return null;
  const rest = value.split(",").map((t) => t.trim()).filter((t) => t !== "" && t.toLowerCase() !== "aws-chunked");
  return rest.length ? rest.join(", ") : null;
}
