/** aws-chunked decoding: arbitrary read boundaries, tampering and garbage framing. */
import { describe, expect, test } from "bun:test";
import { AuthError, encodeAwsChunked, signRequestV4, verifyRequest, type AuthRequest } from "./index";
import { ChunkDecoder, decodeAwsChunked } from "./chunked";
import { CompositeCheck } from "./checks";
import { releasable, releaseChunk } from "../lib/index";
import { CHUNK_SIGS as SIGS, docChunkedBody, docChunkedRequest } from "./test/doc-chunked";
import { bytes, collect, CREDS, DOC_NOW, drain, lookup, splitAt, streamOf } from "./test/helpers";


function errorCode(e: unknown): string | undefined {
  return e instanceof AuthError ? e.code : undefined;
}

async function decodeUnsigned(...pieces: Uint8Array[]) {
  const stream = decodeAwsChunked(streamOf(...pieces), { signing: null, withTrailer: true }, new CompositeCheck([]));
  return drain(stream);
}

describe("split reads", () => {
  test("the signed doc example decodes with a read boundary at every byte of the framing", async () => {
    const body = docChunkedBody(SIGS);
    // Every boundary in the framing regions plus a stride through the data keeps this fast.
    const cuts = new Set<number>();
    for (let i = 1; i < body.length; i++) if (i < 120 || (i > 65600 && i < 65760) || i > body.length - 120 || i % 997 === 0) cuts.add(i);
    for (const cut of cuts) {
      const v = await verifyRequest(docChunkedRequest(false), streamOf(...splitAt(body, cut)), lookup, { now: DOC_NOW });
      const { data, error } = await drain(v.body);
      if (error !== undefined || data.length !== 66560) throw new Error(`cut at ${cut}: ${String(error)} len=${data.length}`);
    }
  });

  test("a signed body with a trailer decodes with a read boundary at every byte, and one byte per read", async () => {
    const data = new Uint8Array(450).map((_, i) => i & 0xff);
    const headers = { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "450", "x-amz-trailer": "x-amz-checksum-crc32" };
    const url = new URL("http://localhost:9000/b/k");
    const s = signRequestV4({ method: "PUT", url, headers, credentials: CREDS, region: "us-east-1", date: DOC_NOW, payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" });
    const wire = await collect(encodeAwsChunked(streamOf(data), { signing: s.chunkSigning, chunkSize: 100, trailerChecksum: "CRC32" }));
    const req: AuthRequest = { method: "PUT", url, headers: s.headers };
    const splits: Uint8Array[][] = [];
    for (let cut = 1; cut < wire.length; cut++) splits.push(splitAt(wire, cut));
    splits.push(Array.from(wire, (b) => new Uint8Array([b])));
    for (const pieces of splits) {
      const v = await verifyRequest(req, streamOf(...pieces), lookup, { now: DOC_NOW });
      const { data: out, error } = await drain(v.body);
      if (error !== undefined) throw new Error(`pieces ${pieces.map((p) => p.length).join(",")}: ${String(error)}`);
      expect(out).toEqual(data);
      expect(v.checksums().CRC32).toBeDefined();
    }
  });

  test("one byte per read decodes an unsigned trailer body (header/CRLF/trailer split everywhere)", async () => {
    const wire = bytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");
    const pieces = Array.from(wire, (b) => new Uint8Array([b]));
    const decoder = new ChunkDecoder({ signing: null, withTrailer: true });
    const out: number[] = [];
    for (const p of pieces) decoder.push(p, (v) => out.push(...v));
    expect(new TextDecoder().decode(new Uint8Array(out))).toBe("hello world");
    expect(decoder.end().get("x-amz-checksum-crc32")).toBe("DUoRhQ==");
  });

  test("emitted payload pieces are views of the input buffers, not copies", () => {
    const wire = bytes("5\r\nhello\r\n0\r\n\r\n");
    const decoder = new ChunkDecoder({ signing: null, withTrailer: true });
    const views: Uint8Array[] = [];
    decoder.push(wire, (v) => views.push(v));
    expect(views.length).toBe(1);
    expect(views[0]!.buffer).toBe(wire.buffer);
  });
});

describe("garbage framing is an AuthError, never a hang", () => {
  const cases: [string, string, string][] = [
    ["non-hex size", "zz\r\nhello\r\n0\r\n\r\n", "InvalidRequest"],
    ["size line without CR", "5\nhello\r\n0\r\n\r\n", "InvalidRequest"],
    ["data not followed by CRLF", "5\r\nhelloXX0\r\n\r\n", "InvalidRequest"],
    ["truncated inside data", "10\r\nhello", "IncompleteBody"],
    ["truncated inside a header", "1", "IncompleteBody"],
    ["no final chunk", "5\r\nhello\r\n", "IncompleteBody"],
    ["empty body", "", "IncompleteBody"],
    ["bytes after the end", "5\r\nhello\r\n0\r\n\r\ngarbage", "InvalidRequest"],
    ["trailer line without colon", "5\r\nhello\r\n0\r\nnonsense\r\n\r\n", "InvalidRequest"],
    ["size beyond 2^52", "fffffffffffffff\r\n", "InvalidRequest"],
  ];
  for (const [name, wire, code] of cases) {
    test(name, async () => {
      const { error } = await decodeUnsigned(bytes(wire));
      expect(errorCode(error)).toBe(code);
    });
  }

  test("an endless chunk header is cut off at 4 KiB", async () => {
    const endless = new Uint8Array(64 * 1024).fill(0x31);
    const { error } = await decodeUnsigned(endless);
    expect(errorCode(error)).toBe("InvalidRequest");
  });

  test("an endless trailer is cut off", async () => {
    const trailer = "x-amz-meta-a:" + "b".repeat(1000) + "\r\n";
    const { error } = await decodeUnsigned(bytes("0\r\n" + trailer.repeat(40)));
    expect(errorCode(error)).toBe("InvalidRequest");
  });

  test("signed chunks without a chunk-signature are rejected", async () => {
    const v = await verifyRequest(docChunkedRequest(false), streamOf(bytes("5\r\nhello\r\n0\r\n\r\n")), lookup, { now: DOC_NOW });
    expect(errorCode((await drain(v.body)).error)).toBe("InvalidRequest");
  });
});

describe("tampering with a signed chunked body", () => {
  test("a flipped payload byte fails that chunk's signature", async () => {
    const body = docChunkedBody(SIGS);
    body[66000] = 98; // inside the second chunk's data
    const v = await verifyRequest(docChunkedRequest(false), streamOf(body), lookup, { now: DOC_NOW });
    expect(errorCode((await drain(v.body)).error)).toBe("SignatureDoesNotMatch");
  });

  test("reordered chunks fail: signatures chain from the seed", async () => {
    const a = (n: number) => "a".repeat(n);
    const wire = `400;chunk-signature=${SIGS[1]}\r\n${a(1024)}\r\n10000;chunk-signature=${SIGS[0]}\r\n${a(65536)}\r\n0;chunk-signature=${SIGS[2]}\r\n\r\n`;
    const v = await verifyRequest(docChunkedRequest(false), streamOf(bytes(wire)), lookup, { now: DOC_NOW });
    expect(errorCode((await drain(v.body)).error)).toBe("SignatureDoesNotMatch");
  });

  test("a dropped final chunk is IncompleteBody, not success", async () => {
    const body = docChunkedBody(SIGS);
    const cut = body.length - (`0;chunk-signature=${SIGS[2]}\r\n\r\n`.length);
    const v = await verifyRequest(docChunkedRequest(false), streamOf(body.subarray(0, cut)), lookup, { now: DOC_NOW });
    expect(errorCode((await drain(v.body)).error)).toBe("IncompleteBody");
  });

  test("a changed x-amz-decoded-content-length breaks the seed signature", async () => {
    const r = docChunkedRequest(false);
    r.headers.set("x-amz-decoded-content-length", "70000");
    const err = await verifyRequest(r, streamOf(docChunkedBody(SIGS)), lookup, { now: DOC_NOW }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe("SignatureDoesNotMatch");
  });
});

describe("declared decoded length (unsigned trailer, anonymous)", () => {
  const unsignedRequest = (decoded: string) => ({
    method: "PUT",
    url: new URL("http://localhost/b/k"),
    headers: new Headers({
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": decoded,
      "x-amz-trailer": "x-amz-checksum-crc32",
    }),
  });
  const wire = bytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");

  test("matching length and trailer checksum pass", async () => {
    const v = await verifyRequest(unsignedRequest("11"), streamOf(wire), lookup);
    const { data, error } = await drain(v.body);
    expect(error).toBeUndefined();
    expect(new TextDecoder().decode(data)).toBe("hello world");
    expect(v.contentLength).toBe(11);
    expect(v.checksums()).toEqual({ CRC32: "DUoRhQ==" });
  });

  test("more bytes than declared is IncompleteBody", async () => {
    const v = await verifyRequest(unsignedRequest("10"), streamOf(wire), lookup);
    expect(errorCode((await drain(v.body)).error)).toBe("IncompleteBody");
  });

  test("fewer bytes than declared is IncompleteBody", async () => {
    const v = await verifyRequest(unsignedRequest("12"), streamOf(wire), lookup);
    expect(errorCode((await drain(v.body)).error)).toBe("IncompleteBody");
  });

  test("a wrong trailer checksum is BadDigest", async () => {
    const bad = bytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
    const v = await verifyRequest(unsignedRequest("11"), streamOf(bad), lookup);
    expect(errorCode((await drain(v.body)).error)).toBe("BadDigest");
    expect(v.checksums()).toEqual({});
  });

  test("a declared trailer that never arrives is rejected", async () => {
    const v = await verifyRequest(unsignedRequest("11"), streamOf(bytes("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")), lookup);
    expect(errorCode((await drain(v.body)).error)).toBe("InvalidRequest");
  });

  test("the trailer may end without the closing blank line", async () => {
    const v = await verifyRequest(unsignedRequest("11"), streamOf(bytes("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n")), lookup);
    expect((await drain(v.body)).error).toBeUndefined();
  });
});

describe("stream plumbing", () => {
  test("a source that fails mid-body fails the decoded stream with the source's error", async () => {
    const boom = new Error("connection reset");
    let sent = false;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(bytes("5\r\nhel"));
        } else c.error(boom);
      },
    });
    const out = decodeAwsChunked(source, { signing: null, withTrailer: true }, new CompositeCheck([]));
    expect((await drain(out)).error).toBe(boom);
  });

  test("a raw chunk is released once every view decoded from it is, and not before", async () => {
    const raw = splitAt(bytes("5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n"), 14); // cut inside "abc"
    const released: number[] = [];
    raw.forEach((r, i) => releasable(r, () => released.push(i)));
    const reader = decodeAwsChunked(streamOf(...raw), { signing: null, withTrailer: false }, new CompositeCheck([])).getReader();
    const views: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) views.push(r.value);
    expect(views.map((v) => new TextDecoder().decode(v))).toEqual(["hello", "a", "bc"]);
    releaseChunk(views[0]!);
    expect(released).toEqual([]); // "a" still refers to the first raw chunk
    releaseChunk(views[1]!);
    expect(released).toEqual([0]);
    releaseChunk(views[2]!);
    expect(released).toEqual([0, 1]);
  });

  test("cancelling the decoded stream cancels the request body", async () => {
    let cancelled: unknown = null;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(bytes("5\r\nhello\r\n"));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const reader = decodeAwsChunked(source, { signing: null, withTrailer: true }, new CompositeCheck([])).getReader();
    await reader.read();
    await reader.cancel("client went away");
    expect(cancelled).toBe("client went away");
  });
});
