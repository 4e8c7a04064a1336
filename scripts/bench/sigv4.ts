/**
 * SigV4 for the load generator: src/auth's signer behind a cache. The generator must sign tens of
 * thousands of requests per second on a shared 2-core box, and S3 accepts a header signature
 * again and again within its 15-minute clock-skew window, so each (method, URL, second) is signed
 * once. Always UNSIGNED-PAYLOAD: hashing bodies would make the generator the bottleneck.
 * test/bench/sigv4.test.ts pins the result against @smithy/signature-v4.
 */
import { presignV4, signRequestV4, UNSIGNED_PAYLOAD } from "../../src/auth/index.ts";
import { keyName } from "./ops";
import type { LoadSpec } from "./types";

export interface Credentials {
  accessKey: string;
  secretKey: string;
  region?: string;
}

const CACHE_MAX = 100_000;

export class SigV4 {
  private readonly region: string;
  private readonly cache = new Map<string, Record<string, string>>();

  constructor(private readonly creds: Credentials) {
    this.region = creds.region ?? "us-east-1";
  }

  private get credentials() {
    return { accessKeyId: this.creds.accessKey, secretAccessKey: this.creds.secretKey };
  }

  /** Headers to add to a fetch of `url` (fetch sets host itself from the same URL). */
  headers(method: string, url: URL, now: Date): Record<string, string> {
    const cacheKey = `${method} ${url.href} ${Math.floor(now.getTime() / 1000)}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const signed = signRequestV4({ method, url, credentials: this.credentials, region: this.region, date: now, payloadHash: UNSIGNED_PAYLOAD });
    const out: Record<string, string> = {};
    signed.headers.forEach((v, k) => {
      if (k !== "host") out[k] = v;
    });
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(cacheKey, out);
    return out;
  }

  /** A presigned URL (query auth), for generators such as wrk that cannot sign per request. */
  presign(method: string, url: URL, opts: { now: Date; expiresSeconds: number }): URL {
    return presignV4({ method, url, credentials: this.credentials, region: this.region, date: opts.now, expiresIn: opts.expiresSeconds });
  }
}

/**
 * What the replaying generators (wrk, rawgen) send: one URL per key of the cell (at least one),
 * the keys the fetch generator cycles through too, each presigned for an hour (longer than any
 * cell).
 */
export function presignedKeyUrls(spec: Pick<LoadSpec, "endpoint" | "bucket" | "keyPrefix" | "keyStyle" | "keyCount" | "accessKey" | "secretKey">, method: string): URL[] {
  const signer = new SigV4({ accessKey: spec.accessKey, secretKey: spec.secretKey });
  const now = new Date();
  return Array.from({ length: Math.max(1, spec.keyCount) }, (_, n) =>
    signer.presign(method, new URL(`${spec.endpoint}/${spec.bucket}/${keyName(spec, n)}`), { now, expiresSeconds: 3600 }),
  );
}
