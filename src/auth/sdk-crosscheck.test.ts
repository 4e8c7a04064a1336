/**
 * Cross-check against the AWS SDK's own signer (@smithy/signature-v4, used by @aws-sdk/client-s3)
 * on random requests: keys and query values with reserved, unicode and space characters, random
 * headers with odd whitespace, header and presigned forms.
 */
import { describe, expect, test } from "bun:test";
import { SignatureV4 } from "@smithy/signature-v4";
import { S3RequestPresigner } from "@aws-sdk/s3-request-presigner";
import { Sha256 } from "@smithy/core/checksum";
import { verifyRequest } from "./index";
import { uriEncode, uriEncodePath } from "./canonical";
import { AKID, CREDS, lookup } from "./test/helpers";

/** Deterministic PRNG (mulberry32) so a failure is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [..."abcXYZ019-_.~ !$&'()*+,;=:@%?#[]/\"<>^`{|}é✓日本😀"];

function randomText(r: () => number, max: number): string {
  let s = "";
  const n = 1 + Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

/** Keys whose segments are '.' or '..' are normalised away by URL parsers; S3 layer concern. */
function randomKey(r: () => number): string {
  const key = randomText(r, 30);
  return key.split("/").some((seg) => seg === "." || seg === "..") ? key.replace(/\./g, "d") : key;
}

const signer = new SignatureV4({ credentials: CREDS, region: "us-east-1", service: "s3", sha256: Sha256, uriEscapePath: false });
const presigner = new S3RequestPresigner({ credentials: CREDS, region: "us-east-1", sha256: Sha256 });

interface RandomRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

function randomRequest(r: () => number): RandomRequest {
  const method = ["GET", "PUT", "POST", "DELETE", "HEAD"][Math.floor(r() * 5)]!;
  const path = "/bucket/" + uriEncodePath(randomKey(r));
  const query: Record<string, string> = {};
  for (let i = Math.floor(r() * 4); i > 0; i--) query[randomText(r, 8)] = r() < 0.3 ? "" : randomText(r, 12);
  const headers: Record<string, string> = { host: "127.0.0.1:9000", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
  for (let i = Math.floor(r() * 4); i > 0; i--) headers[`x-amz-meta-${Math.floor(r() * 1000)}`] = ` a  b\t c ${randomText(r, 6).replace(/[^\x20-\x7e]/g, "u")} `;
  if (r() < 0.5) headers["content-type"] = "application/octet-stream";
  return { method, path, query, headers };
}

function urlOf(req: RandomRequest, extra: Record<string, string | string[]> = {}): URL {
  const all: [string, string][] = Object.entries(req.query);
  for (const [k, v] of Object.entries(extra)) all.push([k, Array.isArray(v) ? v[0]! : v]);
  const search = all.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join("&");
  return new URL(`http://127.0.0.1:9000${req.path}${search ? "?" + search : ""}`);
}

const NOW = new Date("2026-03-04T05:06:07Z");

describe("cross-check with @smithy/signature-v4 and @aws-sdk/s3-request-presigner", () => {
  test("200 random requests signed in the Authorization header verify", async () => {
    const r = rng(42);
    for (let i = 0; i < 200; i++) {
      const req = randomRequest(r);
      const signed = await signer.sign({ method: req.method, protocol: "http:", hostname: "127.0.0.1", port: 9000, path: req.path, query: req.query, headers: { ...req.headers } }, { signingDate: NOW });
      const headers = new Headers(signed.headers as Record<string, string>);
      const url = urlOf(req);
      const v = await verifyRequest({ method: req.method, url, headers }, null, lookup, { now: NOW, region: "us-east-1" }).catch((e: unknown) => {
        throw new Error(`request ${i} ${req.method} ${url}: ${String(e)}`);
      });
      expect(v.accessKey).toBe(AKID);
    }
  });

  test("100 random presigned URLs verify; a changed query value does not", async () => {
    const r = rng(7);
    for (let i = 0; i < 100; i++) {
      const req = randomRequest(r);
      const presigned = await presigner.presign(
        { method: req.method, protocol: "http:", hostname: "127.0.0.1", port: 9000, path: req.path, query: req.query, headers: { host: "127.0.0.1:9000" } },
        { signingDate: NOW, expiresIn: 900 },
      );
      // presign returns the request's own query plus the X-Amz-* parameters.
      const url = urlOf({ ...req, query: {} }, presigned.query as Record<string, string>);
      const v = await verifyRequest({ method: req.method, url, headers: new Headers({ host: "127.0.0.1:9000" }) }, null, lookup, { now: NOW }).catch((e: unknown) => {
        throw new Error(`presigned ${i} ${req.method} ${url}: ${String(e)}`);
      });
      expect(v.signature).toBe("v4-presigned");
      url.searchParams.set("extra", "1");
      const tampered = await verifyRequest({ method: req.method, url, headers: new Headers() }, null, lookup, { now: NOW }).then(() => "accepted", (e: Error) => e.name);
      expect(tampered).toBe("AuthError");
    }
  });
});
