/**
 * aws-chunked decoding (`Content-Encoding: aws-chunked`), streaming and zero-copy for payload
 * bytes (each emitted piece is a subarray view of an input buffer). Covers the three framings:
 *   signed chunks     `<hex>;chunk-signature=<sig>\r\n<data>\r\n … 0;chunk-signature=<sig>\r\n\r\n`
 *   signed + trailer  the same, then `name:value\r\n…x-amz-trailer-signature:<sig>\r\n\r\n`
 *   unsigned trailer  `<hex>\r\n<data>\r\n … 0\r\nname:value\r\n\r\n`
 * Chunk signatures chain from the seed signature (the request's own); the trailer signature
 * chains from the final chunk's. Framing errors are AuthErrors, never hangs: header lines and
 * trailers are bounded, and a stream that ends early is IncompleteBody.
 */
import { createHash, type Hash } from "node:crypto";
import { releasable, releaseChunk } from "../lib/index";
import { AuthError } from "./errors";
import { constantTimeEqual, EMPTY_SHA256, hmacSha256Hex, sha256Hex } from "./crypto";
import type { PayloadCheck, Trailers } from "./checks";

export interface ChunkSigning {
  key: Uint8Array;
  amzDate: string;
  /** `yyyymmdd/region/service/aws4_request` */
  scope: string;
  seedSignature: string;
}

export interface AwsChunkedOptions {
  /** null for STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
  signing: ChunkSigning | null;
  /** Whether trailing headers follow the final chunk. */
  withTrailer: boolean;
}

const MAX_HEADER_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const CR = 13;
const LF = 10;
const SIZE = /^[0-9a-fA-F]{1,13}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const TRAILER_SIGNATURE = "x-amz-trailer-signature";
const utf8 = new TextDecoder();

type State = "header" | "data" | "dataCR" | "dataLF" | "trailer" | "done";

function malformed(why: string): AuthError {
  return new AuthError("InvalidRequest", `Malformed aws-chunked encoding: ${why}.`);
}

export function chunkStringToSign(signing: ChunkSigning, previous: string, dataHash: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${signing.amzDate}\n${signing.scope}\n${previous}\n${EMPTY_SHA256}\n${dataHash}`;
}

export function trailerStringToSign(signing: ChunkSigning, previous: string, canonicalTrailers: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${signing.amzDate}\n${signing.scope}\n${previous}\n${sha256Hex(canonicalTrailers)}`;
}

/** Incremental parser; `push` returns the payload views found in one input buffer. */
export class ChunkDecoder {
  private state: State = "header";
  private line = new Uint8Array(256);
  private lineLength = 0;
  private remaining = 0;
  private finalChunk = false;
  private expectedSignature = "";
  private previousSignature: string;
  private chunkHash: Hash | null = null;
  private trailerBytes = 0;
  private readonly trailers = new Map<string, string>();
  private canonicalTrailers = "";
  private trailerSignature: string | null = null;

  constructor(private readonly opts: AwsChunkedOptions) {
    this.previousSignature = opts.signing?.seedSignature ?? "";
  }

  push(buf: Uint8Array, emit: (data: Uint8Array) => void): void {
    let pos = 0;
    while (pos < buf.length) {
      switch (this.state) {
        case "header":
        case "trailer":
          pos = this.readLine(buf, pos);
          break;
        case "data":
          pos = this.readData(buf, pos, emit);
          break;
        case "dataCR":
        case "dataLF":
          pos = this.readDataCrlf(buf, pos);
          break;
        case "done":
          throw malformed("data after the final chunk");
      }
    }
  }

  /** Called at end of input: returns the trailers, or throws if the body is incomplete. */
  end(): Trailers {
    // Some clients omit the blank line that closes the trailer section: accept a clean stop.
    if (this.state === "trailer" && this.lineLength === 0 && this.trailers.size > 0) this.finishTrailers();
    if (this.state !== "done") {
      throw new AuthError("IncompleteBody", "The request body terminated unexpectedly.");
    }
    return this.trailers;
  }

  private readLine(buf: Uint8Array, pos: number): number {
    const nl = buf.indexOf(LF, pos);
    const end = nl < 0 ? buf.length : nl;
    this.appendLine(buf.subarray(pos, end));
    if (nl < 0) return buf.length;
    const length = this.lineLength;
    this.lineLength = 0;
    if (this.state === "header") {
      if (length === 0 || this.line[length - 1] !== CR) throw malformed("chunk header not terminated by CRLF");
      this.onHeader(utf8.decode(this.line.subarray(0, length - 1)));
    } else {
      const trimmed = length > 0 && this.line[length - 1] === CR ? length - 1 : length;
      this.onTrailerLine(utf8.decode(this.line.subarray(0, trimmed)));
    }
    return nl + 1;
  }

  private appendLine(piece: Uint8Array): void {
    const limit = this.state === "header" ? MAX_HEADER_LINE : MAX_TRAILER_BYTES - this.trailerBytes;
    if (this.lineLength + piece.length > limit) {
      throw malformed(this.state === "header" ? "chunk header too long" : "trailer too long");
    }
    if (this.lineLength + piece.length > this.line.length) {
      const grown = new Uint8Array(Math.min(limit, Math.max(this.line.length * 2, this.lineLength + piece.length)));
      grown.set(this.line.subarray(0, this.lineLength));
      this.line = grown;
    }
    this.line.set(piece, this.lineLength);
    this.lineLength += piece.length;
  }

  private onHeader(text: string): void {
    const semi = text.indexOf(";");
    const sizeText = (semi < 0 ? text : text.slice(0, semi)).trim();
    if (!SIZE.test(sizeText)) throw malformed("invalid chunk size");
    const size = parseInt(sizeText, 16);
    if (this.opts.signing) this.expectedSignature = this.parseChunkSignature(semi < 0 ? "" : text.slice(semi + 1));
    this.remaining = size;
    this.chunkHash = this.opts.signing ? createHash("sha256") : null;
    if (size > 0) {
      this.state = "data";
      return;
    }
    this.finalChunk = true;
    this.verifyChunk();
    this.state = "trailer";
  }

  private parseChunkSignature(extensions: string): string {
    for (const ext of extensions.split(";")) {
      const eq = ext.indexOf("=");
      if (eq > 0 && ext.slice(0, eq).trim() === "chunk-signature") {
        const sig = ext.slice(eq + 1).trim();
        if (SIGNATURE.test(sig)) return sig;
      }
    }
    throw malformed("missing or invalid chunk-signature");
  }

  private readData(buf: Uint8Array, pos: number, emit: (data: Uint8Array) => void): number {
    const n = Math.min(this.remaining, buf.length - pos);
    const view = buf.subarray(pos, pos + n);
    this.chunkHash?.update(view);
    emit(view);
    this.remaining -= n;
    if (this.remaining === 0) {
      this.verifyChunk();
      this.state = "dataCR";
    }
    return pos + n;
  }

  private readDataCrlf(buf: Uint8Array, pos: number): number {
    const expected = this.state === "dataCR" ? CR : LF;
    if (buf[pos] !== expected) throw malformed("chunk data not followed by CRLF");
    this.state = this.state === "dataCR" ? "dataLF" : "header";
    return pos + 1;
  }

  private verifyChunk(): void {
    const signing = this.opts.signing;
    if (!signing) return;
    const dataHash = this.chunkHash ? this.chunkHash.digest("hex") : EMPTY_SHA256;
    const actual = hmacSha256Hex(signing.key, chunkStringToSign(signing, this.previousSignature, dataHash));
    if (!constantTimeEqual(actual, this.expectedSignature)) {
      throw new AuthError("SignatureDoesNotMatch", "The chunk signature we calculated does not match the signature you provided.");
    }
    this.previousSignature = actual;
  }

  private onTrailerLine(text: string): void {
    this.trailerBytes += text.length + 2;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw malformed("trailer too long");
    if (text === "") {
      // A signed trailer's signature may follow a blank line (some clients); otherwise blank ends it.
      const awaitingSignature = this.opts.signing !== null && this.opts.withTrailer && this.trailerSignature === null;
      if (awaitingSignature && this.trailers.size > 0) return;
      this.finishTrailers();
      return;
    }
    if (!this.opts.withTrailer) throw malformed("trailer sent but none was declared");
    const colon = text.indexOf(":");
    if (colon <= 0) throw malformed("trailer line is not name:value");
    const name = text.slice(0, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE) {
      this.trailerSignature = value;
      return;
    }
    if (this.trailerSignature !== null) throw malformed("trailer after the trailer signature");
    this.trailers.set(name, value);
    this.canonicalTrailers += `${name}:${value}\n`;
  }

  private finishTrailers(): void {
    const signing = this.opts.signing;
    if (signing && this.opts.withTrailer) {
      if (this.trailerSignature === null) throw malformed("missing x-amz-trailer-signature");
      const toSign = trailerStringToSign(signing, this.previousSignature, this.canonicalTrailers);
      const actual = hmacSha256Hex(signing.key, toSign);
      if (!constantTimeEqual(actual, this.trailerSignature)) {
        throw new AuthError("SignatureDoesNotMatch", "The trailer signature we calculated does not match the signature you provided.");
      }
    }
    this.state = "done";
  }
}

/**
 * Decodes an aws-chunked body, verifying chunk signatures and feeding `check` with the decoded
 * bytes; the check's `finish` (with the trailers) runs before the stream closes.
 */
export function decodeAwsChunked(source: ReadableStream<Uint8Array>, opts: AwsChunkedOptions, check: PayloadCheck): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new ChunkDecoder(opts);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Loop until something is enqueued: a read that holds only framing must not stall the pull.
        for (let emitted = 0; emitted === 0; ) {
          const { done, value } = await reader.read();
          if (done) {
            await check.finish(decoder.end());
            controller.close();
            return;
          }
          const views: Uint8Array[] = [];
          decoder.push(value, (view) => {
            check.update(view);
            views.push(view);
          });
          for (const view of releasedTogether(value, views)) controller.enqueue(view);
          emitted = views.length;
        }
      } catch (e) {
        controller.error(e);
        reader.cancel(e).catch(() => {});
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * The decoded views of one raw chunk, marked so that releasing all of them releases the raw
 * chunk (lib/chunk-release.ts); the decoder keeps no reference to it once `push` returns.
 */
function releasedTogether(raw: Uint8Array, views: Uint8Array[]): Uint8Array[] {
  let left = views.length;
  if (left === 0) releaseChunk(raw);
  return views.map((v) => releasable(v, () => --left === 0 && releaseChunk(raw)));
}
