/**
 * Payload checks run over the decoded bytes as they stream: the signed SHA-256, flexible
 * checksums (from a header or an aws-chunked trailer) and the declared decoded length.
 * `finish` runs after the last byte and before the stream reports its end.
 */
import { AuthError } from "./errors";
import { checksumHeaderName, createChecksum, toBase64, type ChecksumAlgorithm, type IncrementalHash } from "../lib";
import { createHash } from "node:crypto";

export type Trailers = ReadonlyMap<string, string>;

export interface PayloadCheck {
  update(data: Uint8Array): void;
  finish(trailers: Trailers): Promise<void>;
}

/** x-amz-content-sha256 carrying a hex digest: the payload must hash to it. */
export class Sha256Check implements PayloadCheck {
  private readonly hasher = createHash("sha256");
  constructor(private readonly expectedHex: string) {}
  update(data: Uint8Array): void {
    this.hasher.update(data);
  }
  async finish(): Promise<void> {
    const actual = this.hasher.digest("hex");
    if (actual !== this.expectedHex) {
      throw new AuthError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }
}

/**
 * A flexible checksum. `expected` is the header value, or null when it arrives in the trailer
 * (then it is read from the trailers at finish). Verified values are recorded in `results`.
 */
export class ChecksumCheck implements PayloadCheck {
  private readonly hash: IncrementalHash;
  constructor(
    private readonly algorithm: ChecksumAlgorithm,
    private readonly expected: string | null,
    private readonly results: Partial<Record<ChecksumAlgorithm, string>>,
  ) {
    this.hash = createChecksum(algorithm);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async finish(trailers: Trailers): Promise<void> {
    const name = checksumHeaderName(this.algorithm);
    const expected = this.expected ?? trailers.get(name);
    if (expected === undefined) {
      throw new AuthError("InvalidRequest", `The trailer ${name} declared in x-amz-trailer was not sent.`);
    }
    const actual = toBase64(await this.hash.digest());
    if (actual !== expected) {
      throw new AuthError("BadDigest", `The ${this.algorithm} you specified did not match the calculated checksum.`);
    }
    this.results[this.algorithm] = actual;
  }
}

/** x-amz-decoded-content-length: the decoded payload must be exactly this long. */
export class LengthCheck implements PayloadCheck {
  private seen = 0;
  constructor(private readonly expected: number) {}
  update(data: Uint8Array): void {
    this.seen += data.byteLength;
    // Fail as soon as the client overruns, rather than after streaming the excess.
    if (this.seen > this.expected) throw this.error();
  }
  async finish(): Promise<void> {
    if (this.seen !== this.expected) throw this.error();
  }
  private error(): AuthError {
    return new AuthError("IncompleteBody", "You did not provide the number of bytes specified by the x-amz-decoded-content-length header.");
  }
}

export class CompositeCheck implements PayloadCheck {
  constructor(private readonly checks: readonly PayloadCheck[]) {}
  get empty(): boolean {
    return this.checks.length === 0;
  }
  update(data: Uint8Array): void {
    for (const c of this.checks) c.update(data);
  }
  async finish(trailers: Trailers): Promise<void> {
    for (const c of this.checks) await c.finish(trailers);
  }
}

const NO_TRAILERS: Trailers = new Map();

/**
 * Passes `source` through unchanged while feeding `check`; errors before end on a failed check.
 * Pull-based, so nothing is read ahead of the consumer beyond one chunk.
 */
export function checkedStream(source: ReadableStream<Uint8Array>, check: PayloadCheck): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            await check.finish(NO_TRAILERS);
            controller.close();
            return;
          }
          if (value.byteLength === 0) continue;
          check.update(value);
          controller.enqueue(value);
          return;
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
