/** The bench's own SigV4 signer must agree byte for byte with the AWS SDK's signer. */
import { describe, expect, test } from "bun:test";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";
import { SigV4 } from "../../scripts/bench/sigv4";

function bytes(d: SourceData): string | Uint8Array {
  if (typeof d === "string") return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d);
}

class Sha256 {
  private readonly h: Bun.CryptoHasher;
  constructor(secret?: SourceData) {
    this.h = new Bun.CryptoHasher("sha256", secret === undefined ? undefined : bytes(secret));
  }
  update(data: SourceData) {
    this.h.update(bytes(data));
  }
  async digest() {
    return this.h.digest() as Uint8Array;
  }
}

const creds = { accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1" };
const smithy = new SignatureV4({
  credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey },
  region: creds.region,
  service: "s3",
  sha256: Sha256,
  uriEscapePath: true,
});
const now = new Date("2026-11-25T12:34:56Z");

function smithyRequest(method: string, url: URL, headers: Record<string, string>) {
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  return {
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: decodeURIComponent(url.pathname),
    query,
    headers: { host: url.host, ...headers },
  };
}

const cases: [string, string][] = [
  ["GET", "http://127.0.0.1:9000/bench/4k/obj-1"],
  ["PUT", "http://127.0.0.1:9000/bench/a%20b/c%2Bd(1)"],
  ["GET", "http://127.0.0.1:9000/bench?list-type=2&max-keys=1000&prefix=n%2F&continuation-token=a%2Bb%3D"],
  ["POST", "http://127.0.0.1:9000/bench/mp/obj?uploads"],
];

describe("bench SigV4", () => {
  for (const [method, href] of cases) {
    test(`header signature matches the SDK: ${method} ${href}`, async () => {
      const url = new URL(href);
      const ours = new SigV4(creds).headers(method, url, now);
      const theirs = await smithy.sign(smithyRequest(method, url, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }), {
        signingDate: now,
      });
      expect(ours.authorization).toBe(theirs.headers["authorization"]!);
      expect(ours["x-amz-date"]).toBe(theirs.headers["x-amz-date"]!);
    });
  }

  test("presigned URL signature matches the SDK", async () => {
    const url = new URL("http://127.0.0.1:9000/bench/4k/obj-7");
    const ours = new SigV4(creds).presign("GET", url, { now, expiresSeconds: 3600 });
    const theirs = await smithy.presign(smithyRequest("GET", url, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }), {
      signingDate: now,
      expiresIn: 3600,
      unsignableHeaders: new Set(["x-amz-content-sha256"]),
      unhoistableHeaders: new Set(["x-amz-content-sha256"]),
    });
    expect(ours.searchParams.get("X-Amz-Signature")).toBe(theirs.query!["X-Amz-Signature"] as string);
  });

  test("cached headers are reused for the same method, URL and second", () => {
    const s = new SigV4(creds);
    const url = new URL("http://127.0.0.1:9000/bench/k");
    expect(s.headers("GET", url, now)).toBe(s.headers("GET", url, now));
    expect(s.headers("HEAD", url, now)).not.toBe(s.headers("GET", url, now));
  });
});
