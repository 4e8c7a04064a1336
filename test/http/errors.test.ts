/** The error table, the ObjectError and AuthError mappings, and the error response shape. */
import { describe, expect, test } from "bun:test";
import { AuthError, AUTH_ERROR_STATUS, type AuthErrorCode } from "../../src/auth/index";
import { ObjectError, type ObjectErrorInfo } from "../../src/object/index";
import { S3Error, S3_ERRORS, parseXml } from "../../src/s3/index";
import { fromAuthError, fromObjectError, toS3Error } from "../../src/s3/errors";
import { mapError } from "../../src/s3/dispatch";
import { serialize, serializeError } from "../../src/s3/response";
import { toResponse } from "../../src/lib/index";
import { z } from "zod";

const loc = { bucket: "b", key: "k" };
const KINDS: [ObjectErrorInfo, string, number][] = [
  [{ kind: "BucketNotFound", bucket: "b" }, "NoSuchBucket", 404],
  [{ kind: "BucketExists", bucket: "b" }, "BucketAlreadyOwnedByYou", 409],
  [{ kind: "BucketNotEmpty", bucket: "b" }, "BucketNotEmpty", 409],
  [{ kind: "InvalidBucketName", bucket: "B" }, "InvalidBucketName", 400],
  [{ kind: "ObjectNotFound", ...loc }, "NoSuchKey", 404],
  [{ kind: "VersionNotFound", ...loc, versionId: "v" }, "NoSuchVersion", 404],
  [{ kind: "MethodNotAllowed", ...loc, reason: "delete marker" }, "MethodNotAllowed", 405],
  [{ kind: "InvalidObjectName", ...loc, reason: "r" }, "InvalidObjectName", 400],
  [{ kind: "KeyTooLong", ...loc }, "KeyTooLongError", 400],
  [{ kind: "InvalidRange", size: 10 }, "InvalidRange", 416],
  [{ kind: "PreconditionFailed", ...loc }, "PreconditionFailed", 412],
  [{ kind: "NotModified", ...loc, etag: "e" }, "NotModified", 304],
  [{ kind: "UploadNotFound", ...loc, uploadId: "u" }, "NoSuchUpload", 404],
  [{ kind: "InvalidPart", partNumber: 1, reason: "etag" }, "InvalidPart", 400],
  [{ kind: "InvalidPartOrder", partNumber: 2 }, "InvalidPartOrder", 400],
  [{ kind: "EntityTooSmall", partNumber: 1, size: 5 }, "EntityTooSmall", 400],
  [{ kind: "EntityTooLarge", size: 6, max: 5 }, "EntityTooLarge", 400],
  [{ kind: "IncompleteBody", expected: 10, received: 5 }, "IncompleteBody", 400],
  [{ kind: "BadDigest", expected: "a", computed: "b" }, "BadDigest", 400],
  [{ kind: "InvalidArgument", message: "m" }, "InvalidArgument", 400],
  [{ kind: "ObjectLocked", ...loc, versionId: null }, "AccessDenied", 403],
  [{ kind: "InsufficientReadQuorum", ...loc, have: 1, need: 2 }, "SlowDown", 503],
  [{ kind: "InsufficientWriteQuorum", ...loc, have: 1, need: 2 }, "SlowDown", 503],
  [{ kind: "DriveNotFound", drive: "/d" }, "ServiceUnavailable", 503],
  [{ kind: "FileCorrupt", ...loc, detail: "/secret/path" }, "InternalError", 500],
  [{ kind: "NotImplemented", what: "x" }, "NotImplemented", 501],
];

describe("ObjectError → S3", () => {
  for (const [info, code, status] of KINDS) {
    test(`${info.kind} → ${code} ${status}`, () => {
      const e = fromObjectError(new ObjectError(info));
      expect(e.code as string).toBe(code);
      expect(e.status).toBe(status);
    });
  }

  test("InvalidRange carries Content-Range: bytes */size", () => {
    expect(fromObjectError(new ObjectError({ kind: "InvalidRange", size: 42 })).headers["content-range"]).toBe("bytes */42");
  });

  test("table statuses are HTTP statuses and messages are non-empty", () => {
    for (const [code, [status, message]] of Object.entries(S3_ERRORS)) {
      expect(status).toBeGreaterThanOrEqual(300);
      expect(message.length).toBeGreaterThan(0);
    }
  });
});

describe("AuthError → S3", () => {
  for (const code of Object.keys(AUTH_ERROR_STATUS) as AuthErrorCode[]) {
    test(`${code} keeps auth's status`, () => {
      const e = fromAuthError(new AuthError(code, "m"));
      expect(e.status).toBe(AUTH_ERROR_STATUS[code]);
    });
  }

  test("an AuthError wrapped by a lower layer is still reported as itself", () => {
    const inner = new AuthError("SignatureDoesNotMatch", "chunk signature mismatch");
    const wrapped = new ObjectError({ kind: "IncompleteBody", expected: 10, received: 3 }, { cause: inner });
    expect(mapError(wrapped).code).toBe("SignatureDoesNotMatch");
  });

  test("unknown failures become InternalError", () => {
    expect(toS3Error(new TypeError("boom")).code).toBe("InternalError");
  });
});

const errorSchema = z.object({
  Code: z.string(),
  Message: z.string(),
  Key: z.string().optional(),
  BucketName: z.string().optional(),
  Resource: z.string(),
  RequestId: z.string(),
  HostId: z.string(),
});

describe("error responses", () => {
  const meta = { requestId: "REQ123", method: "GET", resource: "/b/k" };

  test("AWS XML shape with x-amz-error-code and request ids", async () => {
    const res = toResponse(serializeError(new S3Error("NoSuchKey", { bucket: "b", key: "k" }), meta));
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amz-error-code")).toBe("NoSuchKey");
    expect(res.headers.get("x-amz-request-id")).toBe("REQ123");
    expect(res.headers.get("x-amz-id-2")).toBeTruthy();
    expect(res.headers.get("server")).toBe("Cairn");
    expect(res.headers.get("content-type")).toBe("application/xml");
    const body = parseXml(await res.text(), "Error", errorSchema);
    expect(body).toEqual({
      Code: "NoSuchKey",
      Message: S3_ERRORS.NoSuchKey[1],
      Key: "k",
      Resource: "/b/k",
      RequestId: "REQ123",
      HostId: res.headers.get("x-amz-id-2")!,
    });
  });

  test("bucket errors name the bucket", async () => {
    const res = toResponse(serializeError(new S3Error("NoSuchBucket", { bucket: "b" }), meta));
    const body = parseXml(await res.text(), "Error", errorSchema);
    expect(body.BucketName).toBe("b");
    expect(body.Key).toBeUndefined();
  });

  test("HEAD errors have no body but carry the code in a header", async () => {
    const res = toResponse(serializeError(new S3Error("NoSuchKey"), { ...meta, method: "HEAD" }));
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amz-error-code")).toBe("NoSuchKey");
    expect(await res.text()).toBe("");
  });

  test("5xx bodies hide internal messages", async () => {
    const e = mapError(new ObjectError({ kind: "FileCorrupt", bucket: "b", key: "k", detail: "/secret/drive3/xl.meta" }));
    const res = toResponse(serializeError(e, meta));
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain("/secret");
    const raw = toResponse(serializeError(mapError(new Error("ENOENT /var/lib/cairn/disk1")), meta));
    expect(await raw.text()).not.toContain("/var/lib");
  });

  test("304 has no body and no error code", async () => {
    const res = toResponse(serializeError(fromObjectError(new ObjectError({ kind: "NotModified", ...loc, etag: "abc" })), meta));
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe('"abc"');
    expect(res.headers.get("x-amz-error-code")).toBeNull();
    expect(await res.text()).toBe("");
  });
});

describe("DeleteObjects result body", () => {
  test("per-key errors carry the S3 code; quiet drops successes only", async () => {
    const { deleteResultXml } = await import("../../src/s3/handlers/object-delete");
    const results = [
      { ok: true as const, key: "a", versionId: null, deleteMarker: false },
      { ok: true as const, key: "b", versionId: "dm1", deleteMarker: true },
      { ok: false as const, key: "c", error: new ObjectError({ kind: "InsufficientWriteQuorum", bucket: "b", key: "c", have: 1, need: 3 }) },
      { ok: false as const, key: "d", versionId: "v9", error: new ObjectError({ kind: "ObjectLocked", bucket: "b", key: "d", versionId: "v9" }) },
    ];
    expect(deleteResultXml(results, false)).toEqual({
      Deleted: [{ Key: "a", VersionId: undefined }, { Key: "b", VersionId: undefined, DeleteMarker: true, DeleteMarkerVersionId: "dm1" }],
      Error: [
        { Key: "c", VersionId: undefined, Code: "SlowDown", Message: S3_ERRORS.SlowDown[1] },
        { Key: "d", VersionId: "v9", Code: "AccessDenied", Message: "Access Denied because object protected by object lock." },
      ],
    });
    expect(deleteResultXml(results, true).Deleted).toEqual([]);
    expect(deleteResultXml(results, true).Error).toHaveLength(2);
  });
});

describe("serialize", () => {
  test("a header value HTTP cannot carry fails as an error before any byte is sent, and the body is cancelled", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
    const result = { headers: { "x-amz-meta-note": "line\nbreak", "content-length": "10" }, body: { kind: "stream" as const, stream } };
    await expect(serialize(result, { requestId: "R", method: "GET", resource: "/b/k" })).rejects.toThrow("x-amz-meta-note");
    await Bun.sleep(0);
    expect(cancelled).toBe(true);
    const fine = await serialize({ headers: { "x-amz-meta-note": "caf\u00e9" } }, { requestId: "R", method: "GET", resource: "/b/k" });
    expect(fine.status).toBe(200);
  });
});
