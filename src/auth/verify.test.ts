/** Round trips through our signer and verifier, and each failure with its S3 error code. */
import { describe, expect, test } from "bun:test";
import {
  AuthError,
  encodeAwsChunked,
  presignV2,
  presignV4,
  signRequestV2,
  signRequestV4,
  storedContentEncoding,
  verifyRequest,
  type AuthRequest,
  type VerifyOptions,
} from "./index";
import { CHECKSUM_ALGORITHMS, checksumOf, toBase64, type ChecksumAlgorithm } from "../lib";
import { sha256Hex } from "./crypto";
import { parseAmzDate } from "./sigv4";
import { AKID, bytes, collect, CREDS, drain, lookup, streamOf } from "./test/helpers";

const NOW = new Date("2026-01-02T03:04:05Z");
const URL_ = new URL("http://127.0.0.1:9000/bucket/some%20key/with+plus?tagging");

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  return e instanceof AuthError ? e.code : `not an AuthError: ${String(e)}`;
}

function signed(extra: Record<string, string> = {}, payloadHash?: string): AuthRequest {
  const s = signRequestV4({ method: "PUT", url: URL_, headers: extra, credentials: CREDS, region: "us-east-1", date: NOW, payloadHash });
  return { method: "PUT", url: URL_, headers: s.headers };
}

const opts: VerifyOptions = { now: NOW, region: "us-east-1" };

describe("SigV4 header", () => {
  test("round trip with our signer", async () => {
    const v = await verifyRequest(signed({ "x-amz-meta-a": "  two  spaces " }), null, lookup, opts);
    expect(v).toMatchObject({ accessKey: AKID, signature: "v4", body: null, contentLength: -1 });
  });

  test("unknown access key → InvalidAccessKeyId", async () => {
    const s = signRequestV4({ method: "GET", url: URL_, credentials: { accessKeyId: "NOPE", secretAccessKey: "x" }, region: "us-east-1", date: NOW });
    expect(await codeOf(verifyRequest({ method: "GET", url: URL_, headers: s.headers }, null, lookup, opts))).toBe("InvalidAccessKeyId");
  });

  test("wrong secret → SignatureDoesNotMatch", async () => {
    const s = signRequestV4({ method: "GET", url: URL_, credentials: { ...CREDS, secretAccessKey: "other" }, region: "us-east-1", date: NOW });
    expect(await codeOf(verifyRequest({ method: "GET", url: URL_, headers: s.headers }, null, lookup, opts))).toBe("SignatureDoesNotMatch");
  });

  const tamper: [string, (r: AuthRequest) => AuthRequest][] = [
    ["method", (r) => ({ ...r, method: "DELETE" })],
    ["path", (r) => ({ ...r, url: new URL("http://127.0.0.1:9000/bucket/other?tagging") })],
    ["query", (r) => ({ ...r, url: new URL(r.url.toString() + "&versionId=1") })],
    ["signed meta header", (r) => (r.headers.set("x-amz-meta-a", "changed"), r)],
    ["host", (r) => (r.headers.set("host", "evil:9000"), r)],
  ];
  for (const [what, change] of tamper) {
    test(`tampered ${what} → SignatureDoesNotMatch`, async () => {
      expect(await codeOf(verifyRequest(change(signed({ "x-amz-meta-a": "v" })), null, lookup, opts))).toBe("SignatureDoesNotMatch");
    });
  }

  test("clock skew beyond 15 minutes → RequestTimeTooSkewed (either direction)", async () => {
    const later = new Date(NOW.getTime() + 16 * 60_000);
    const earlier = new Date(NOW.getTime() - 16 * 60_000);
    expect(await codeOf(verifyRequest(signed(), null, lookup, { now: later }))).toBe("RequestTimeTooSkewed");
    expect(await codeOf(verifyRequest(signed(), null, lookup, { now: earlier }))).toBe("RequestTimeTooSkewed");
    const within = new Date(NOW.getTime() + 14 * 60_000);
    expect((await verifyRequest(signed(), null, lookup, { now: within })).accessKey).toBe(AKID);
  });

  test("a scope for another region → AuthorizationHeaderMalformed when a region is configured", async () => {
    const s = signRequestV4({ method: "GET", url: URL_, credentials: CREDS, region: "eu-west-1", date: NOW });
    const r = { method: "GET", url: URL_, headers: s.headers };
    expect(await codeOf(verifyRequest(r, null, lookup, opts))).toBe("AuthorizationHeaderMalformed");
    expect((await verifyRequest(r, null, lookup, { now: NOW })).accessKey).toBe(AKID);
  });

  test("malformed Authorization headers → AuthorizationHeaderMalformed", async () => {
    for (const bad of ["AWS4-HMAC-SHA256 garbage", "AWS4-HMAC-SHA256 Credential=AK/2026/us-east-1/s3, SignedHeaders=host, Signature=00", "AWS4-HMAC-SHA256 Credential=AK/20260102/us-east-1/s3/aws4_request, Signature=00"]) {
      const r = signed();
      r.headers.set("authorization", bad);
      expect(await codeOf(verifyRequest(r, null, lookup, opts))).toBe("AuthorizationHeaderMalformed");
    }
  });

  test("an unknown Authorization scheme → InvalidArgument; SigV4a → NotImplemented", async () => {
    const r = signed();
    r.headers.set("authorization", "Bearer abc");
    expect(await codeOf(verifyRequest(r, null, lookup, opts))).toBe("InvalidArgument");
    r.headers.set("authorization", "AWS4-ECDSA-P256-SHA256 Credential=x");
    expect(await codeOf(verifyRequest(r, null, lookup, opts))).toBe("NotImplemented");
  });

  test("missing x-amz-content-sha256 → InvalidRequest; nonsense value → InvalidArgument", async () => {
    const r = signed();
    r.headers.delete("x-amz-content-sha256");
    expect(await codeOf(verifyRequest(r, null, lookup, opts))).toBe("InvalidRequest");
    expect(await codeOf(verifyRequest(signed({}, "nonsense"), null, lookup, opts))).toBe("InvalidArgument");
  });

  test("header auth and presigned query together → InvalidArgument", async () => {
    const r = signed();
    const url = new URL(r.url);
    url.searchParams.set("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    expect(await codeOf(verifyRequest({ ...r, url }, null, lookup, opts))).toBe("InvalidArgument");
  });

  test("signed payload: matching body passes, tampered body errors before end", async () => {
    const payload = bytes("the payload");
    const ok = await verifyRequest(signed({}, sha256Hex(payload)), streamOf(payload), lookup, opts);
    expect(await collect(ok.body!)).toEqual(payload);
    const bad = await verifyRequest(signed({}, sha256Hex(payload)), streamOf(bytes("the pAyload")), lookup, opts);
    const { error } = await drain(bad.body);
    expect((error as AuthError).code).toBe("XAmzContentSHA256Mismatch");
  });
});

describe("presigned V4", () => {
  const presign = (expiresIn: number, url = URL_) => presignV4({ method: "GET", url, credentials: CREDS, region: "us-east-1", date: NOW, expiresIn });

  test("round trip, with a key needing encoding", async () => {
    const url = presign(3600, new URL("http://127.0.0.1:9000/bucket/a%20b%2Bc/%E2%9C%93?response-content-type=text%2Fplain"));
    const v = await verifyRequest({ method: "GET", url, headers: new Headers({ host: url.host }) }, null, lookup, opts);
    expect(v).toMatchObject({ accessKey: AKID, signature: "v4-presigned" });
  });

  test("expired → AccessDenied; not yet valid → AccessDenied", async () => {
    const url = presign(60);
    const r = { method: "GET", url, headers: new Headers() };
    expect(await codeOf(verifyRequest(r, null, lookup, { now: new Date(NOW.getTime() + 61_000) }))).toBe("AccessDenied");
    expect(await codeOf(verifyRequest(r, null, lookup, { now: new Date(NOW.getTime() - 16 * 60_000) }))).toBe("AccessDenied");
    expect((await verifyRequest(r, null, lookup, { now: new Date(NOW.getTime() + 59_000) })).accessKey).toBe(AKID);
  });

  test("X-Amz-Expires above a week → AuthorizationQueryParametersError", async () => {
    const r = { method: "GET", url: presign(604801), headers: new Headers() };
    expect(await codeOf(verifyRequest(r, null, lookup, opts))).toBe("AuthorizationQueryParametersError");
    const week = { method: "GET", url: presign(604800), headers: new Headers() };
    expect((await verifyRequest(week, null, lookup, opts)).accessKey).toBe(AKID);
  });

  test("missing parameter → AuthorizationQueryParametersError; changed method → SignatureDoesNotMatch", async () => {
    const url = presign(60);
    const missing = new URL(url);
    missing.searchParams.delete("X-Amz-Date");
    expect(await codeOf(verifyRequest({ method: "GET", url: missing, headers: new Headers() }, null, lookup, opts))).toBe("AuthorizationQueryParametersError");
    expect(await codeOf(verifyRequest({ method: "PUT", url, headers: new Headers() }, null, lookup, opts))).toBe("SignatureDoesNotMatch");
  });
});

describe("SigV2", () => {
  test("header round trip, including sub-resources", async () => {
    const headers = signRequestV2({ method: "PUT", url: URL_, headers: { "content-type": "text/plain", "x-amz-meta-x": "1" }, credentials: CREDS, date: NOW });
    const v = await verifyRequest({ method: "PUT", url: URL_, headers }, null, lookup, opts);
    expect(v).toMatchObject({ accessKey: AKID, signature: "v2" });
    headers.set("content-type", "text/html");
    expect(await codeOf(verifyRequest({ method: "PUT", url: URL_, headers }, null, lookup, opts))).toBe("SignatureDoesNotMatch");
  });

  test("x-amz-date (RFC 1123, with a comma) replaces Date, as s3cmd sends it", async () => {
    const headers = signRequestV2({ method: "PUT", url: URL_, headers: { "x-amz-date": NOW.toUTCString(), "x-amz-meta-list": "a, b" }, credentials: CREDS });
    expect(headers.has("date")).toBe(false);
    expect((await verifyRequest({ method: "PUT", url: URL_, headers }, null, lookup, opts)).signature).toBe("v2");
    headers.set("x-amz-date", new Date(NOW.getTime() + 1000).toUTCString());
    expect(await codeOf(verifyRequest({ method: "PUT", url: URL_, headers }, null, lookup, opts))).toBe("SignatureDoesNotMatch");
  });

  test("a changed sub-resource breaks the signature; a non-sub-resource query does not count", async () => {
    const headers = signRequestV2({ method: "GET", url: URL_, credentials: CREDS, date: NOW });
    const other = new URL(URL_.toString().replace("tagging", "acl"));
    expect(await codeOf(verifyRequest({ method: "GET", url: other, headers }, null, lookup, opts))).toBe("SignatureDoesNotMatch");
    const extra = new URL(URL_.toString() + "&foo=bar");
    expect((await verifyRequest({ method: "GET", url: extra, headers }, null, lookup, opts)).accessKey).toBe(AKID);
  });

  test("virtual-hosted style signs the bucket from the host", async () => {
    const url = new URL("http://bucket.s3.local:9000/key");
    const headers = signRequestV2({ method: "GET", url, credentials: CREDS, date: NOW, virtualHostBucket: "bucket" });
    const v = await verifyRequest({ method: "GET", url, headers }, null, lookup, { ...opts, virtualHostBucket: "bucket" });
    expect(v.accessKey).toBe(AKID);
    expect(await codeOf(verifyRequest({ method: "GET", url, headers }, null, lookup, opts))).toBe("SignatureDoesNotMatch");
  });

  test("skewed Date → RequestTimeTooSkewed", async () => {
    const headers = signRequestV2({ method: "GET", url: URL_, credentials: CREDS, date: new Date(NOW.getTime() - 20 * 60_000) });
    expect(await codeOf(verifyRequest({ method: "GET", url: URL_, headers }, null, lookup, opts))).toBe("RequestTimeTooSkewed");
  });

  test("presigned: a '+' in the signature sent unencoded still verifies", async () => {
    for (let i = 0; i < 40; i++) {
      const url = presignV2({ method: "GET", url: new URL(`http://127.0.0.1:9000/bucket/k${i}`), credentials: CREDS, expires: new Date(NOW.getTime() + 60_000) });
      const sig = url.searchParams.get("Signature")!;
      if (!sig.includes("+")) continue;
      const raw = new URL(url.toString().replace(/Signature=[^&]*/, `Signature=${sig}`));
      expect((await verifyRequest({ method: "GET", url: raw, headers: new Headers() }, null, lookup, opts)).signature).toBe("v2-presigned");
      return;
    }
    throw new Error("no signature with '+' in 40 tries");
  });

  test("presigned round trip and expiry", async () => {
    const url = presignV2({ method: "GET", url: URL_, credentials: CREDS, expires: new Date(NOW.getTime() + 60_000) });
    const r = { method: "GET", url, headers: new Headers() };
    expect(await verifyRequest(r, null, lookup, opts)).toMatchObject({ accessKey: AKID, signature: "v2-presigned" });
    expect(await codeOf(verifyRequest(r, null, lookup, { now: new Date(NOW.getTime() + 61_000) }))).toBe("AccessDenied");
  });
});

describe("anonymous requests", () => {
  test("no auth → accessKey null, body passed through", async () => {
    const v = await verifyRequest({ method: "PUT", url: URL_, headers: new Headers({ "content-length": "3" }) }, streamOf(bytes("abc")), lookup);
    expect(v).toMatchObject({ accessKey: null, signature: "anonymous", contentLength: 3 });
    expect(await collect(v.body!)).toEqual(bytes("abc"));
  });
});

describe("flexible checksums in headers", () => {
  const data = bytes("checksummed payload ".repeat(1000));
  const put = (headers: Record<string, string>) => signed(headers, "UNSIGNED-PAYLOAD");

  for (const alg of CHECKSUM_ALGORITHMS) {
    test(`${alg}: correct value verifies and is reported; wrong value → BadDigest`, async () => {
      const name = `x-amz-checksum-${alg.toLowerCase()}`;
      const good = toBase64(await checksumOf(alg, data));
      const v = await verifyRequest(put({ [name]: good }), streamOf(data.subarray(0, 7), data.subarray(7)), lookup, opts);
      expect((await drain(v.body)).error).toBeUndefined();
      expect(v.checksums()).toEqual({ [alg]: good } as Partial<Record<ChecksumAlgorithm, string>>);
      const wrong = toBase64(await checksumOf(alg, bytes("other")));
      const bad = await verifyRequest(put({ [name]: wrong }), streamOf(data), lookup, opts);
      expect(((await drain(bad.body)).error as AuthError).code).toBe("BadDigest");
    });
  }

  test("two checksum headers → InvalidRequest", async () => {
    const r = put({ "x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-sha1": toBase64(new Uint8Array(20)) });
    expect(await codeOf(verifyRequest(r, streamOf(data), lookup, opts))).toBe("InvalidRequest");
  });

  test("malformed value (bad base64 or wrong length) → InvalidRequest", async () => {
    expect(await codeOf(verifyRequest(put({ "x-amz-checksum-crc32": "not base64!" }), streamOf(data), lookup, opts))).toBe("InvalidRequest");
    expect(await codeOf(verifyRequest(put({ "x-amz-checksum-crc32": "AAAAAAAA" }), streamOf(data), lookup, opts))).toBe("InvalidRequest");
  });

  test("x-amz-sdk-checksum-algorithm naming another algorithm → InvalidRequest", async () => {
    const r = put({ "x-amz-checksum-crc32": "AAAAAA==", "x-amz-sdk-checksum-algorithm": "SHA256" });
    expect(await codeOf(verifyRequest(r, streamOf(data), lookup, opts))).toBe("InvalidRequest");
  });

  test("no body: a checksum of the empty payload is verified immediately", async () => {
    const empty = toBase64(await checksumOf("CRC32", new Uint8Array(0)));
    expect((await verifyRequest(put({ "x-amz-checksum-crc32": empty }), null, lookup, opts)).checksums()).toEqual({ CRC32: empty });
    expect(await codeOf(verifyRequest(put({ "x-amz-checksum-crc32": "AAAAAQ==" }), null, lookup, opts))).toBe("BadDigest");
  });
});

describe("aws-chunked round trips with our signer", () => {
  const data = crypto.getRandomValues(new Uint8Array(200_003));

  async function upload(opts2: { signed: boolean; trailer?: ChecksumAlgorithm; chunkSize: number; mutate?: (wire: Uint8Array) => void }) {
    const payloadHash = opts2.signed ? (opts2.trailer ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" : "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") : "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    const headers: Record<string, string> = { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(data.length) };
    if (opts2.trailer) headers["x-amz-trailer"] = `x-amz-checksum-${opts2.trailer.toLowerCase()}`;
    const s = signRequestV4({ method: "PUT", url: URL_, headers, credentials: CREDS, region: "us-east-1", date: NOW, payloadHash });
    const wire = await collect(encodeAwsChunked(streamOf(data), { signing: opts2.signed ? s.chunkSigning : null, chunkSize: opts2.chunkSize, trailerChecksum: opts2.trailer }));
    opts2.mutate?.(wire);
    const v = await verifyRequest({ method: "PUT", url: URL_, headers: s.headers }, streamOf(wire), lookup, opts);
    return { v, ...(await drain(v.body)) };
  }

  for (const chunkSize of [8192, 65536, 1 << 20]) {
    test(`signed, ${chunkSize}-byte chunks`, async () => {
      const { data: out, error } = await upload({ signed: true, chunkSize });
      expect(error).toBeUndefined();
      expect(out).toEqual(data);
    });
  }

  for (const alg of CHECKSUM_ALGORITHMS) {
    test(`signed with ${alg} trailer, and unsigned with ${alg} trailer`, async () => {
      for (const signedChunks of [true, false]) {
        const { v, data: out, error } = await upload({ signed: signedChunks, trailer: alg, chunkSize: 65536 });
        expect(error).toBeUndefined();
        expect(out).toEqual(data);
        expect(v.checksums()[alg]).toBe(toBase64(await checksumOf(alg, data)));
      }
    });
  }

  test("tampered payload in an unsigned-trailer upload → BadDigest", async () => {
    const { error } = await upload({ signed: false, trailer: "CRC32C", chunkSize: 65536, mutate: (w) => void (w[1000] = w[1000]! ^ 1) });
    expect((error as AuthError).code).toBe("BadDigest");
  });

  test("tampered payload in a signed upload → SignatureDoesNotMatch", async () => {
    const { error } = await upload({ signed: true, trailer: "CRC32", chunkSize: 65536, mutate: (w) => void (w[150_000] = w[150_000]! ^ 1) });
    expect((error as AuthError).code).toBe("SignatureDoesNotMatch");
  });

  test("signed chunked payload without SigV4 header auth → InvalidRequest", async () => {
    const r = { method: "PUT", url: URL_, headers: new Headers({ "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" }) };
    expect(await codeOf(verifyRequest(r, streamOf(new Uint8Array(0)), lookup, opts))).toBe("InvalidRequest");
  });
});

describe("storedContentEncoding", () => {
  test("drops the aws-chunked framing token and keeps the rest", () => {
    expect(storedContentEncoding("aws-chunked")).toBeNull();
    expect(storedContentEncoding("aws-chunked, gzip")).toBe("gzip");
    expect(storedContentEncoding("gzip,aws-chunked")).toBe("gzip");
    expect(storedContentEncoding(null)).toBeNull();
  });
});

describe("parseAmzDate", () => {
  test("reads the basic ISO 8601 form and refuses anything else", () => {
    expect(parseAmzDate("20130524T000000Z")?.toISOString()).toBe("2013-05-24T00:00:00.000Z");
    expect(parseAmzDate("20261126T235959Z")?.getTime()).toBe(Date.UTC(2026, 10, 26, 23, 59, 59));
    for (const bad of ["", "20130524T000000", "2013-05-24T00:00:00Z", "20130524T00000Z", "2013052XT000000Z", "20130524 000000Z", "20130524T0000 0Z", "+0130524T000000Z"]) {
      expect(parseAmzDate(bad)).toBeNull();
    }
  });
});
