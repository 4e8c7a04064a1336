/** Request header parsing the handlers rely on: digests, metadata, ranges, copy sources, tags. */
import { describe, expect, test } from "bun:test";
import { S3Error } from "../../src/s3/index";
import {
  MAX_PUT_SIZE,
  conditionsFromHeaders,
  contentMd5Hex,
  declaredSize,
  intParam,
  metadataFromHeaders,
  parseCopySource,
  parseCopySourceRange,
  parseRange,
  storageClass,
  unquoteEtag,
} from "../../src/s3/headers";
import { encodeTags, parseTagQuery } from "../../src/s3/tags";
import { metadataToRecord, recordToMetadata } from "../../src/erasure/info";
import { decodeToken, encodeToken } from "../../src/s3/handlers/list";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof S3Error) return e.code;
    throw e;
  }
}

describe("Content-MD5", () => {
  test("base64 of 16 bytes becomes hex", () => {
    const md5 = new Bun.CryptoHasher("md5").update("hello").digest();
    expect(contentMd5Hex(new Headers({ "content-md5": md5.toString("base64") }))).toBe(md5.toString("hex"));
  });
  test("absent is undefined", () => {
    expect(contentMd5Hex(new Headers())).toBeUndefined();
  });
  for (const bad of ["", "abc", "not base64!!", Buffer.alloc(15).toString("base64"), Buffer.alloc(20).toString("base64")]) {
    test(`malformed ${JSON.stringify(bad)} is InvalidDigest`, () => {
      expect(codeOf(() => contentMd5Hex(new Headers({ "content-md5": bad })))).toBe("InvalidDigest");
    });
  }
});

describe("metadata headers", () => {
  test("standard headers and x-amz-meta-* (lower-cased names, prefix removed)", () => {
    const md = metadataFromHeaders(
      new Headers({
        "content-type": "text/plain",
        "cache-control": "no-cache",
        "content-disposition": "attachment",
        "X-Amz-Meta-Color": "blue",
        "x-amz-meta-empty": "",
        "x-amz-date": "ignored",
      }),
    );
    expect(md).toEqual({
      user: { color: "blue", empty: "" },
      contentType: "text/plain",
      cacheControl: "no-cache",
      contentDisposition: "attachment",
    });
  });
  test("x-amz-meta-__proto__ is metadata like any other name, kept through the stored record", () => {
    const md = metadataFromHeaders(new Headers({ "x-amz-meta-__proto__": "p", "x-amz-meta-constructor": "c" }));
    expect(Object.entries(md.user)).toEqual([["__proto__", "p"], ["constructor", "c"]]);
    const back = recordToMetadata(metadataToRecord(md));
    expect(Object.entries(back.user)).toEqual([["__proto__", "p"], ["constructor", "c"]]);
  });
  test("aws-chunked is stripped from Content-Encoding, other codings stay", () => {
    expect(metadataFromHeaders(new Headers({ "content-encoding": "aws-chunked" })).contentEncoding).toBeUndefined();
    expect(metadataFromHeaders(new Headers({ "content-encoding": "aws-chunked,gzip" })).contentEncoding).toBe("gzip");
  });
  test("user metadata over 2 KiB is MetadataTooLarge; exactly 2 KiB is accepted", () => {
    const ok = new Headers({ "x-amz-meta-k": "v".repeat(2047) });
    expect(metadataFromHeaders(ok).user.k?.length).toBe(2047);
    const big = new Headers({ "x-amz-meta-k": "v".repeat(2048) });
    expect(codeOf(() => metadataFromHeaders(big))).toBe("MetadataTooLarge");
  });
});

describe("storage class", () => {
  test("STANDARD and REDUCED_REDUNDANCY accepted, others rejected", () => {
    expect(storageClass(new Headers({ "x-amz-storage-class": "REDUCED_REDUNDANCY" }))).toBe("REDUCED_REDUNDANCY");
    expect(storageClass(new Headers())).toBeUndefined();
    expect(codeOf(() => storageClass(new Headers({ "x-amz-storage-class": "GLACIERX" })))).toBe("InvalidStorageClass");
  });
});

describe("Range", () => {
  const cases: [string, unknown][] = [
    ["bytes=0-9", { type: "from", start: 0, end: 9 }],
    ["bytes=5-", { type: "from", start: 5 }],
    ["bytes=-3", { type: "suffix", length: 3 }],
    ["bytes=-0", { type: "suffix", length: 0 }],
    // Ignored as AWS does: several ranges, bad syntax, other units, reversed.
    ["bytes=0-1,4-5", undefined],
    ["bytes=a-b", undefined],
    ["items=0-1", undefined],
    ["bytes=9-5", undefined],
    ["bytes=-", undefined],
  ];
  for (const [header, spec] of cases) {
    test(header, () => expect(parseRange(header)).toEqual(spec as never));
  }
});

describe("copy source", () => {
  test("leading slash optional, URL-decoded, versionId split before decoding", () => {
    expect(parseCopySource("/src-bucket/a%20dir/f%3Fx.txt?versionId=v1")).toEqual({ bucket: "src-bucket", key: "a dir/f?x.txt", versionId: "v1" });
    expect(parseCopySource("b/k")).toEqual({ bucket: "b", key: "k", versionId: undefined });
  });
  for (const bad of ["", "bucket", "/bucket/", "%zz/k"]) {
    test(`${JSON.stringify(bad)} is InvalidArgument`, () => {
      expect(codeOf(() => parseCopySource(bad))).toBe("InvalidArgument");
    });
  }
  test("copy-source-range needs bytes=first-last", () => {
    expect(parseCopySourceRange("bytes=0-99")).toEqual({ start: 0, end: 99 });
    expect(codeOf(() => parseCopySourceRange("bytes=5-"))).toBe("InvalidArgument");
    expect(codeOf(() => parseCopySourceRange("bytes=9-1"))).toBe("InvalidArgument");
  });
});

describe("conditions", () => {
  test("GET and copy-source variants; unparseable dates ignored", () => {
    const h = new Headers({
      "if-match": '"abc"',
      "if-modified-since": "Wed, 21 Oct 2015 07:28:00 GMT",
      "if-unmodified-since": "not a date",
      "x-amz-copy-source-if-none-match": "*",
    });
    expect(conditionsFromHeaders(h)).toEqual({ ifMatch: '"abc"', ifModifiedSince: new Date("2015-10-21T07:28:00Z") });
    expect(conditionsFromHeaders(h, "x-amz-copy-source-")).toEqual({ ifNoneMatch: "*" });
    expect(conditionsFromHeaders(new Headers())).toBeUndefined();
  });
});

describe("sizes and integers", () => {
  test("declared size: known, chunked unknown, missing, too large", () => {
    expect(declaredSize(new Headers(), 10)).toBe(10);
    expect(declaredSize(new Headers({ "content-encoding": "aws-chunked" }), -1)).toBe(-1);
    expect(declaredSize(new Headers({ "transfer-encoding": "chunked" }), -1)).toBe(-1);
    expect(codeOf(() => declaredSize(new Headers(), -1))).toBe("MissingContentLength");
    expect(codeOf(() => declaredSize(new Headers(), MAX_PUT_SIZE + 1))).toBe("EntityTooLarge");
  });
  test("intParam clamps max-keys and rejects junk", () => {
    const q = new URLSearchParams("a=5000&b=-1&c=1.5&d=12");
    expect(intParam(q, "a", { min: 0, max: 1000, clamp: true })).toBe(1000);
    expect(codeOf(() => intParam(q, "b", { min: 0, max: 1000 }))).toBe("InvalidArgument");
    expect(codeOf(() => intParam(q, "c", { min: 0, max: 1000 }))).toBe("InvalidArgument");
    expect(intParam(q, "d", { min: 0, max: 1000 })).toBe(12);
    expect(intParam(q, "missing", { min: 0, max: 1000 })).toBeUndefined();
  });
  test("ETags lose quotes", () => {
    expect(unquoteEtag('"abc-2"')).toBe("abc-2");
    expect(unquoteEtag("abc")).toBe("abc");
    expect(unquoteEtag("&quot;abc&quot;")).toBe("abc");
  });
});

describe("tags", () => {
  test("query form round-trips, with reserved characters", () => {
    const tags = parseTagQuery("a=1&b%20c=x%26y&empty=");
    expect(tags).toEqual([
      { key: "a", value: "1" },
      { key: "b c", value: "x&y" },
      { key: "empty", value: "" },
    ]);
    expect(parseTagQuery(encodeTags(tags))).toEqual(tags);
  });
  test("limits: 10 tags, key 1..128, value ≤ 256, unique keys", () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join("&");
    expect(codeOf(() => parseTagQuery(eleven))).toBe("BadRequest");
    expect(codeOf(() => parseTagQuery(`${"k".repeat(129)}=v`))).toBe("InvalidTag");
    expect(parseTagQuery(`${"k".repeat(128)}=${"v".repeat(256)}`)).toHaveLength(1);
    expect(codeOf(() => parseTagQuery(`k=${"v".repeat(257)}`))).toBe("InvalidTag");
    expect(codeOf(() => parseTagQuery("k=1&k=2"))).toBe("InvalidTag");
    expect(codeOf(() => parseTagQuery("=v"))).toBe("InvalidTag");
  });
});

describe("continuation tokens", () => {
  test("opaque and reversible for any key", () => {
    for (const key of ["a", "dir/sub/ü.txt", "x+y=z", ""]) expect(decodeToken(encodeToken(key))).toBe(key);
    expect(codeOf(() => decodeToken("not a token!"))).toBe("InvalidArgument");
  });
});
