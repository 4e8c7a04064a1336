/**
 * The worked examples from the Amazon S3 SigV4 documentation (examplebucket, 2013-05-24,
 * AKIAIOSFODNN7EXAMPLE): each must verify, and must fail once any signed part changes.
 */
import { describe, expect, test } from "bun:test";
import { AuthError, verifyRequest, type AuthRequest } from "./index";
import { AKID, bytes, DOC_NOW, drain, lookup, streamOf } from "./test/helpers";
import { CHUNK_SIGS, docChunkedBody, docChunkedRequest, TRAILER, TRAILER_CHUNK_SIGS } from "./test/doc-chunked";

const CRED = `Credential=${AKID}/20130524/us-east-1/s3/aws4_request`;

function req(method: string, url: string, headers: Record<string, string>): AuthRequest {
  return { method, url: new URL(url), headers: new Headers(headers) };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  expect((err as AuthError).code).toBe(code as AuthError["code"]);
}

const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

describe("AWS documentation examples (Authorization header)", () => {
  const getRange = () =>
    req("GET", "https://examplebucket.s3.amazonaws.com/test.txt", {
      host: "examplebucket.s3.amazonaws.com",
      range: "bytes=0-9",
      "x-amz-content-sha256": EMPTY,
      "x-amz-date": "20130524T000000Z",
      authorization: `AWS4-HMAC-SHA256 ${CRED},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
    });

  test("GET object with a range verifies", async () => {
    const v = await verifyRequest(getRange(), null, lookup, { now: DOC_NOW, region: "us-east-1" });
    expect(v.accessKey).toBe(AKID);
    expect(v.signature).toBe("v4");
    expect(v.body).toBeNull();
  });

  test("GET with a changed signed header fails with SignatureDoesNotMatch", async () => {
    const r = getRange();
    r.headers.set("range", "bytes=0-10");
    await expectCode(verifyRequest(r, null, lookup, { now: DOC_NOW }), "SignatureDoesNotMatch");
  });

  const PUT_BODY = bytes("Welcome to Amazon S3.");
  const putObject = () =>
    req("PUT", "https://examplebucket.s3.amazonaws.com/test$file.text", {
      host: "examplebucket.s3.amazonaws.com",
      date: "Fri, 24 May 2013 00:00:00 GMT",
      "x-amz-date": "20130524T000000Z",
      "x-amz-storage-class": "REDUCED_REDUNDANCY",
      "x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
      authorization: `AWS4-HMAC-SHA256 ${CRED},SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd`,
    });

  test("PUT object with a signed payload verifies and streams the body", async () => {
    const v = await verifyRequest(putObject(), streamOf(PUT_BODY), lookup, { now: DOC_NOW });
    const { data, error } = await drain(v.body);
    expect(error).toBeUndefined();
    expect(new TextDecoder().decode(data)).toBe("Welcome to Amazon S3.");
  });

  test("PUT object with a tampered body fails with XAmzContentSHA256Mismatch before end", async () => {
    const v = await verifyRequest(putObject(), streamOf(bytes("Welcome to Amazon S4.")), lookup, { now: DOC_NOW });
    const { error } = await drain(v.body);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("XAmzContentSHA256Mismatch");
  });

  test("GET bucket lifecycle (sub-resource with no value) verifies", async () => {
    const r = req("GET", "https://examplebucket.s3.amazonaws.com/?lifecycle", {
      host: "examplebucket.s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-content-sha256": EMPTY,
      authorization: `AWS4-HMAC-SHA256 ${CRED},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543`,
    });
    expect((await verifyRequest(r, null, lookup, { now: DOC_NOW })).accessKey).toBe(AKID);
  });

  test("GET bucket (list objects, query sorted) verifies", async () => {
    const r = req("GET", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", {
      host: "examplebucket.s3.amazonaws.com",
      "x-amz-date": "20130524T000000Z",
      "x-amz-content-sha256": EMPTY,
      authorization: `AWS4-HMAC-SHA256 ${CRED},SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7`,
    });
    expect((await verifyRequest(r, null, lookup, { now: DOC_NOW })).accessKey).toBe(AKID);
  });
});

describe("AWS documentation example (presigned URL)", () => {
  const URL_TEXT =
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
  const presigned = () => req("GET", URL_TEXT, { host: "examplebucket.s3.amazonaws.com" });

  test("verifies within its validity", async () => {
    const v = await verifyRequest(presigned(), null, lookup, { now: new Date("2013-05-24T12:00:00Z") });
    expect(v.signature).toBe("v4-presigned");
    expect(v.accessKey).toBe(AKID);
  });

  test("after X-Amz-Expires it is AccessDenied", async () => {
    await expectCode(verifyRequest(presigned(), null, lookup, { now: new Date("2013-05-25T00:00:01Z") }), "AccessDenied");
  });

  test("another object under the same signature is SignatureDoesNotMatch", async () => {
    const r = req("GET", URL_TEXT.replace("test.txt", "test2.txt"), { host: "examplebucket.s3.amazonaws.com" });
    await expectCode(verifyRequest(r, null, lookup, { now: DOC_NOW }), "SignatureDoesNotMatch");
  });
});

describe("AWS documentation examples (aws-chunked uploads)", () => {
  test("signed chunks: seed and each chunk signature verify; payload is 66560 'a'", async () => {
    const v = await verifyRequest(docChunkedRequest(false), streamOf(docChunkedBody(CHUNK_SIGS)), lookup, { now: DOC_NOW });
    expect(v.contentLength).toBe(66560);
    const { data, error } = await drain(v.body);
    expect(error).toBeUndefined();
    expect(data.length).toBe(66560);
    expect(data.every((b) => b === 97)).toBe(true);
  });

  test("signed chunks with trailer: trailer checksum and trailer signature verify", async () => {
    const v = await verifyRequest(docChunkedRequest(true), streamOf(docChunkedBody(TRAILER_CHUNK_SIGS, TRAILER)), lookup, { now: DOC_NOW });
    const { data, error } = await drain(v.body);
    expect(error).toBeUndefined();
    expect(data.length).toBe(66560);
    expect(v.checksums()).toEqual({ CRC32C: "sOO8/Q==" });
  });

  test("a wrong chunk signature fails with SignatureDoesNotMatch", async () => {
    const sigs = [CHUNK_SIGS[0]!, CHUNK_SIGS[0]!, CHUNK_SIGS[2]!];
    const v = await verifyRequest(docChunkedRequest(false), streamOf(docChunkedBody(sigs)), lookup, { now: DOC_NOW });
    expect(((await drain(v.body)).error as AuthError).code).toBe("SignatureDoesNotMatch");
  });

  test("a wrong trailer signature fails with SignatureDoesNotMatch", async () => {
    const bad = TRAILER.replace("d81f82fc", "d81f82fd");
    const v = await verifyRequest(docChunkedRequest(true), streamOf(docChunkedBody(TRAILER_CHUNK_SIGS, bad)), lookup, { now: DOC_NOW });
    expect(((await drain(v.body)).error as AuthError).code).toBe("SignatureDoesNotMatch");
  });
});
