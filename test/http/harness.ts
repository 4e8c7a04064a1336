/**
 * Handler tests run the real S3 front over the real erasure layer on temp directories, served by
 * the server's own listener in this process, and talk to it with real clients (the AWS SDK) or
 * with requests signed by our signer when a test needs exact control over headers and bodies.
 */
import { afterAll, beforeAll } from "bun:test";
import { S3Client } from "@aws-sdk/client-s3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STREAMING_SIGNED_TRAILER, encodeAwsChunked, signRequestV4 } from "../../src/auth/index";
import { openErasureLayer } from "../../src/erasure/index";
import type { ObjectLayer } from "../../src/object/index";
import { createS3Handler } from "../../src/s3/index";
import { listen } from "../../src/server/index";

export const ACCESS_KEY = "testaccess";
export const SECRET_KEY = "testsecret-0123456789";
export const REGION = "us-east-1";

export interface Harness {
  endpoint: string;
  layer: ObjectLayer;
  client: S3Client;
  /** A signed request with an exact body (string/bytes) or none. */
  send(method: string, path: string, init?: SendInit): Promise<Response>;
  /**
   * A PUT with an aws-chunked body (signed chunks, CRC32 trailer) sent with chunked transfer
   * encoding and no Content-Length, as SDKs stream bodies of unknown length.
   */
  sendChunked(path: string, data: Uint8Array, init?: { headers?: Record<string, string>; declareLength?: boolean }): Promise<Response>;
  close(): Promise<void>;
}

export interface SendInit {
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Send unsigned (anonymous). */
  anonymous?: boolean;
}

export async function startHarness(opts: { drives?: number } = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), "cairn-s3-"));
  const drives = Array.from({ length: opts.drives ?? 4 }, (_, i) => join(root, `d${i}`));
  const layer = await openErasureLayer({ drives });
  const handler = createS3Handler({
    layer,
    region: REGION,
    domains: ["localhost"],
    lookupSecret: async (k) => (k === ACCESS_KEY ? SECRET_KEY : null),
  });
  let n = 0;
  // The server's own listener, so responses are framed as clients of the real server see them.
  const server = await listen({ host: "127.0.0.1", port: 0 }, (req, remoteAddress) =>
    handler(req, { requestId: `T${++n}`, ...(remoteAddress !== undefined && { remoteAddress }) }),
  );
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
  });
  return {
    endpoint,
    layer,
    client,
    send: (method, path, init = {}) => send(endpoint, method, path, init),
    sendChunked: (path, data, init = {}) => sendChunked(endpoint, path, data, init),
    async close() {
      client.destroy();
      await server.close(0);
      await layer.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function send(endpoint: string, method: string, path: string, init: SendInit): Promise<Response> {
  const url = new URL(path, endpoint);
  const body = typeof init.body === "string" ? new TextEncoder().encode(init.body) : init.body;
  let headers = new Headers(init.headers);
  if (!init.anonymous) {
    const payloadHash = body ? new Bun.CryptoHasher("sha256").update(body).digest("hex") : undefined;
    headers = signRequestV4({
      method,
      url,
      headers,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      region: REGION,
      ...(payloadHash && { payloadHash }),
    }).headers;
  }
  return fetch(url, { method, headers, ...(body && { body }) });
}

async function sendChunked(
  endpoint: string,
  path: string,
  data: Uint8Array,
  init: { headers?: Record<string, string>; declareLength?: boolean },
): Promise<Response> {
  const url = new URL(path, endpoint);
  const headers = new Headers(init.headers);
  headers.set("content-encoding", "aws-chunked");
  headers.set("x-amz-trailer", "x-amz-checksum-crc32");
  if (init.declareLength) headers.set("x-amz-decoded-content-length", String(data.length));
  const signed = signRequestV4({
    method: "PUT",
    url,
    headers,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    region: REGION,
    payloadHash: STREAMING_SIGNED_TRAILER,
  });
  async function* pieces() {
    for (let i = 0; i < data.length; i += 100_000) yield data.subarray(i, i + 100_000);
  }
  const body = encodeAwsChunked(pieces(), { signing: signed.chunkSigning, trailerChecksum: "CRC32" });
  return fetch(url, { method: "PUT", headers: signed.headers, body, duplex: "half" } as RequestInit);
}

/** The `<Code>` of an S3 error body. */
/**
 * One harness for the enclosing test file (or describe block): started in a beforeAll registered
 * here, so before the caller's own setup hooks, and closed in an afterAll. The returned object
 * forwards to it.
 */
export function harnessForFile(opts: { drives?: number } = {}): Harness {
  let real: Harness | undefined;
  beforeAll(async () => {
    real = await startHarness(opts);
  });
  afterAll(async () => {
    await real?.close();
  });
  const get = (): Harness => {
    if (!real) throw new Error("the file's harness is used before its beforeAll ran");
    return real;
  };
  return {
    get endpoint() {
      return get().endpoint;
    },
    get layer() {
      return get().layer;
    },
    get client() {
      return get().client;
    },
    send: (method, path, init) => get().send(method, path, init),
    sendChunked: (path, data, init) => get().sendChunked(path, data, init),
    close: () => get().close(),
  };
}

export async function errorCode(res: Response): Promise<string | null> {
  const m = /<Code>([^<]*)<\/Code>/.exec(await res.text());
  return m?.[1] ?? null;
}

/** The S3 error a rejected SDK call carried (fails the test when it resolved or threw something else). */
export { sdkError, sdkErrorName } from "../sdk-errors";
