/**
 * What the real @aws-sdk/client-s3 sends: requests are captured by a request handler (no
 * network) and fed to verifyRequest, body included. Covers Buffer bodies (checksum header),
 * stream bodies (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER with a checksum trailer) for
 * every checksum algorithm, and getSignedUrl.
 */
import { describe, expect, test } from "bun:test";
import { GetObjectCommand, PutObjectCommand, S3Client, type ChecksumAlgorithm as SdkChecksumAlgorithm } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Readable } from "node:stream";
import { verifyRequest, type AuthRequest } from "./index";
import { CHECKSUM_ALGORITHMS, checksumOf, toBase64 } from "../lib";
import { AKID, CREDS, drain, lookup } from "./test/helpers";

interface Captured {
  req: AuthRequest;
  body: ReadableStream<Uint8Array> | null;
}

interface SmithyRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

function toAuthRequest(r: SmithyRequest): Captured {
  const search = Object.entries(r.query)
    .map(([k, v]) => (v === null ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`))
    .join("&");
  const url = new URL(`${r.protocol}//${r.hostname}:${r.port}${r.path}${search ? "?" + search : ""}`);
  const headers = new Headers();
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers.set(k, v);
  let body: ReadableStream<Uint8Array> | null = null;
  if (r.body instanceof Readable) body = Readable.toWeb(r.body) as ReadableStream<Uint8Array>;
  else if (r.body instanceof Uint8Array) body = new Blob([r.body]).stream();
  else if (typeof r.body === "string") body = new Blob([r.body]).stream();
  return { req: { method: r.method, url, headers }, body };
}

function capturingClient(): { client: S3Client; last: () => Captured } {
  let captured: Captured | null = null;
  const client = new S3Client({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9000",
    forcePathStyle: true,
    credentials: CREDS,
    requestHandler: {
      async handle(request: SmithyRequest) {
        captured = toAuthRequest(request);
        return { response: { statusCode: 200, headers: { etag: '"0"' }, body: Readable.from([]) } };
      },
    } as never,
  });
  return { client, last: () => captured! };
}

const payload = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);

describe("@aws-sdk/client-s3 requests verify", () => {
  for (const alg of CHECKSUM_ALGORITHMS) {
    test(`PutObject with a Buffer body and ChecksumAlgorithm ${alg}`, async () => {
      const { client, last } = capturingClient();
      await client.send(new PutObjectCommand({ Bucket: "b", Key: "dir/k ey+1", Body: Buffer.from(payload), ChecksumAlgorithm: alg as SdkChecksumAlgorithm }));
      const { req, body } = last();
      const v = await verifyRequest(req, body, lookup);
      const { data, error } = await drain(v.body);
      expect(error).toBeUndefined();
      expect(data).toEqual(payload);
      expect(v.checksums()[alg]).toBe(toBase64(await checksumOf(alg, payload)));
    });

    test(`PutObject with a stream body (aws-chunked + ${alg} trailer)`, async () => {
      const { client, last } = capturingClient();
      const body = Readable.from([Buffer.from(payload.subarray(0, 100_000)), Buffer.from(payload.subarray(100_000))]);
      await client.send(new PutObjectCommand({ Bucket: "b", Key: "streamed", Body: body, ChecksumAlgorithm: alg as SdkChecksumAlgorithm }));
      const captured = last();
      expect(captured.req.headers.get("x-amz-content-sha256")).toBe("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
      const v = await verifyRequest(captured.req, captured.body, lookup);
      const { data, error } = await drain(v.body);
      expect(error).toBeUndefined();
      expect(data).toEqual(payload);
      expect(v.checksums()[alg]).toBe(toBase64(await checksumOf(alg, payload)));
    });
  }

  test("GetObject (no body) verifies; a different secret does not", async () => {
    const { client, last } = capturingClient();
    await client.send(new GetObjectCommand({ Bucket: "b", Key: "some/key", Range: "bytes=0-9" })).catch(() => {});
    const { req } = last();
    expect((await verifyRequest(req, null, lookup)).accessKey).toBe(AKID);
    const err = await verifyRequest(req, null, async () => "another secret").catch((e: { code: string }) => e.code);
    expect(err).toBe("SignatureDoesNotMatch");
  });

  test("getSignedUrl for GetObject and PutObject verifies", async () => {
    const { client } = capturingClient();
    for (const command of [new GetObjectCommand({ Bucket: "b", Key: "a b/ç" }), new PutObjectCommand({ Bucket: "b", Key: "x" })]) {
      const url = new URL(await getSignedUrl(client, command, { expiresIn: 600 }));
      const method = command instanceof GetObjectCommand ? "GET" : "PUT";
      const v = await verifyRequest({ method, url, headers: new Headers({ host: url.host }) }, null, lookup);
      expect(v).toMatchObject({ accessKey: AKID, signature: "v4-presigned" });
    }
  });
});
