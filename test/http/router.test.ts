/**
 * parseEndpoint against request lines taken from the AWS S3 API reference examples
 * (path-style and virtual-host style), plus the sub-resources Cairn answers with 501.
 */
import { describe, expect, test } from "bun:test";
import { parseEndpoint, S3Error, type Endpoint } from "../../src/s3/index";

const DOMAINS = ["s3.amazonaws.com", "localhost"];

function parse(method: string, target: string, headers: Record<string, string> = {}): Endpoint {
  const host = headers.host ?? "s3.amazonaws.com";
  return parseEndpoint(method, new URL(target, `http://${host}`), new Headers({ host, ...headers }), { domains: DOMAINS });
}

type Row = [method: string, target: string, headers: Record<string, string>, expected: Endpoint];

const vh = (bucket: string) => ({ host: `${bucket}.s3.amazonaws.com` });

const AWS_EXAMPLES: Row[] = [
  ["GET", "/", {}, { op: "ListBuckets" }],
  ["PUT", "/", vh("my-bucket"), { op: "CreateBucket", bucket: "my-bucket" }],
  ["HEAD", "/", vh("my-bucket"), { op: "HeadBucket", bucket: "my-bucket" }],
  ["DELETE", "/", vh("quotes"), { op: "DeleteBucket", bucket: "quotes" }],
  ["GET", "/?location", vh("examplebucket"), { op: "GetBucketLocation", bucket: "examplebucket" }],
  ["GET", "/?versioning", vh("bucket"), { op: "GetBucketVersioning", bucket: "bucket" }],
  ["PUT", "/?versioning", vh("bucket"), { op: "PutBucketVersioning", bucket: "bucket" }],
  ["GET", "/?list-type=2", vh("bucket"), { op: "ListObjectsV2", bucket: "bucket" }],
  ["GET", "/?list-type=2&max-keys=3&prefix=E&start-after=ExampleGuide.pdf", vh("quotes"), { op: "ListObjectsV2", bucket: "quotes" }],
  ["GET", "/?prefix=N&marker=Ned&max-keys=40", vh("quotes"), { op: "ListObjects", bucket: "quotes" }],
  ["GET", "/?versions", vh("BucketName"), { op: "ListObjectVersions", bucket: "bucketname" }],
  ["GET", "/?uploads&max-uploads=3", vh("example-bucket"), { op: "ListMultipartUploads", bucket: "example-bucket" }],
  ["POST", "/?delete", vh("examplebucket"), { op: "DeleteObjects", bucket: "examplebucket" }],
  ["POST", "/", { ...vh("examplebucket"), "content-type": "multipart/form-data; boundary=9431149156168" }, { op: "PostObject", bucket: "examplebucket" }],
  ["GET", "/?tagging", vh("examplebucket"), { op: "GetBucketTagging", bucket: "examplebucket" }],
  ["PUT", "/?tagging", vh("examplebucket"), { op: "PutBucketTagging", bucket: "examplebucket" }],
  ["DELETE", "/?tagging", vh("examplebucket"), { op: "DeleteBucketTagging", bucket: "examplebucket" }],
  ["PUT", "/my-image.jpg", vh("myBucket"), { op: "PutObject", bucket: "mybucket", key: "my-image.jpg" }],
  ["PUT", "/my-second-image.jpg", { ...vh("bucket"), "x-amz-copy-source": "/bucket/my-image.jpg" }, { op: "CopyObject", bucket: "bucket", key: "my-second-image.jpg" }],
  ["GET", "/my-image.jpg", vh("bucket"), { op: "GetObject", bucket: "bucket", key: "my-image.jpg" }],
  ["GET", "/my-image.jpg?versionId=3HL4kqCxf3vjVBH40Nrjfkd", vh("bucket"), { op: "GetObject", bucket: "bucket", key: "my-image.jpg" }],
  ["HEAD", "/my-image.jpg", vh("bucket"), { op: "HeadObject", bucket: "bucket", key: "my-image.jpg" }],
  ["DELETE", "/my-second-image.jpg", vh("bucket"), { op: "DeleteObject", bucket: "bucket", key: "my-second-image.jpg" }],
  ["POST", "/example-object?uploads", vh("example-bucket"), { op: "CreateMultipartUpload", bucket: "example-bucket", key: "example-object" }],
  ["PUT", "/my-movie.m2ts?partNumber=1&uploadId=VCVsb2FkIElEIGZvciBlbZZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZR", vh("example-bucket"), { op: "UploadPart", bucket: "example-bucket", key: "my-movie.m2ts" }],
  ["PUT", "/newobject?partNumber=2&uploadId=VCVsb2FkIElEIGZvciBlbZZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZR", { ...vh("example-bucket"), "x-amz-copy-source": "/source-bucket/sourceobject", "x-amz-copy-source-range": "bytes=500-6291456" }, { op: "UploadPartCopy", bucket: "example-bucket", key: "newobject" }],
  ["POST", "/example-object?uploadId=AAAsb2FkIElEIGZvciBlbHZpbmcncyWeeS1tb3ZpZS5tMnRzIRRwbG9hZA", vh("example-bucket"), { op: "CompleteMultipartUpload", bucket: "example-bucket", key: "example-object" }],
  ["DELETE", "/example-object?uploadId=VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZ", vh("example-bucket"), { op: "AbortMultipartUpload", bucket: "example-bucket", key: "example-object" }],
  ["GET", "/example-object?uploadId=XXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA&max-parts=2&part-number-marker=1", vh("example-bucket"), { op: "ListParts", bucket: "example-bucket", key: "example-object" }],
  ["GET", "/example-object?tagging", vh("examplebucket"), { op: "GetObjectTagging", bucket: "examplebucket", key: "example-object" }],
  ["PUT", "/object-key?tagging", vh("examplebucket"), { op: "PutObjectTagging", bucket: "examplebucket", key: "object-key" }],
  ["DELETE", "/exampleobject?tagging", vh("examplebucket"), { op: "DeleteObjectTagging", bucket: "examplebucket", key: "exampleobject" }],
];

const PATH_STYLE: Row[] = [
  ["GET", "/", { host: "localhost:9000" }, { op: "ListBuckets" }],
  ["PUT", "/bucket", { host: "127.0.0.1:9000" }, { op: "CreateBucket", bucket: "bucket" }],
  ["PUT", "/bucket/", { host: "127.0.0.1:9000" }, { op: "CreateBucket", bucket: "bucket" }],
  ["GET", "/bucket?list-type=2&prefix=a%2F&delimiter=%2F", { host: "127.0.0.1" }, { op: "ListObjectsV2", bucket: "bucket" }],
  ["PUT", "/bucket/dir/sub/file.txt", { host: "127.0.0.1" }, { op: "PutObject", bucket: "bucket", key: "dir/sub/file.txt" }],
  ["GET", "/bucket/a%20b%2Bc%3Fd", { host: "127.0.0.1" }, { op: "GetObject", bucket: "bucket", key: "a b+c?d" }],
  ["GET", "/bucket/a+b", { host: "127.0.0.1" }, { op: "GetObject", bucket: "bucket", key: "a+b" }],
  ["GET", "/bucket//leading-slash", { host: "127.0.0.1" }, { op: "GetObject", bucket: "bucket", key: "/leading-slash" }],
  ["GET", "/bucket/%E6%97%A5%E6%9C%AC", { host: "127.0.0.1" }, { op: "GetObject", bucket: "bucket", key: "日本" }],
  // The SDK v3 adds x-id; unknown parameters are ignored as AWS does.
  ["PUT", "/bucket/key?x-id=PutObject&foo=bar", { host: "127.0.0.1" }, { op: "PutObject", bucket: "bucket", key: "key" }],
  ["GET", "/bucket/key?partNumber=1", { host: "127.0.0.1" }, { op: "GetObject", bucket: "bucket", key: "key" }],
  // Virtual host on a configured domain with a port, and a bucket containing dots.
  ["GET", "/k", { host: "my.dotted.bucket.localhost:9000" }, { op: "GetObject", bucket: "my.dotted.bucket", key: "k" }],
];

const SUBRESOURCES: Row[] = [
  ["GET", "/?lifecycle", vh("b"), { op: "GetBucketLifecycleConfiguration", bucket: "b" }],
  ["GET", "/?encryption", vh("b"), { op: "GetBucketEncryption", bucket: "b" }],
  ["PUT", "/?notification", vh("b"), { op: "PutBucketNotificationConfiguration", bucket: "b" }],
  ["GET", "/k?attributes", vh("b"), { op: "GetObjectAttributes", bucket: "b", key: "k" }],
  ["GET", "/?object-lock", vh("b"), { op: "GetObjectLockConfiguration", bucket: "b" }],
  ["PUT", "/k?retention", vh("b"), { op: "PutObjectRetention", bucket: "b", key: "k" }],
  ["GET", "/k?legal-hold", vh("b"), { op: "GetObjectLegalHold", bucket: "b", key: "k" }],
  ["DELETE", "/?cors", vh("b"), { op: "DeleteBucketCors", bucket: "b" }],
  ["GET", "/?acl", vh("b"), { op: "GetBucketAcl", bucket: "b" }],
  ["PUT", "/?acl", vh("b"), { op: "PutBucketAcl", bucket: "b" }],
  ["PUT", "/?policy", vh("b"), { op: "PutBucketPolicy", bucket: "b" }],
  ["GET", "/?policy", vh("b"), { op: "GetBucketPolicy", bucket: "b" }],
  ["DELETE", "/?policy", vh("b"), { op: "DeleteBucketPolicy", bucket: "b" }],
  ["GET", "/?policyStatus", vh("b"), { op: "GetBucketPolicyStatus", bucket: "b" }],
  ["GET", "/k?acl", vh("b"), { op: "GetObjectAcl", bucket: "b", key: "k" }],
  ["PUT", "/k?acl&versionId=v1", vh("b"), { op: "PutObjectAcl", bucket: "b", key: "k" }],
];

const UNSERVED: Row[] = [
  ["PUT", "/?replication", vh("b"), { op: "NotImplemented", name: "PutBucketReplication", bucket: "b" }],
  ["GET", "/?website", vh("b"), { op: "NotImplemented", name: "GetBucketWebsite", bucket: "b" }],
  ["GET", "/?logging", vh("b"), { op: "NotImplemented", name: "GetBucketLogging", bucket: "b" }],
  ["POST", "/k?restore", vh("b"), { op: "NotImplemented", name: "RestoreObject", bucket: "b", key: "k" }],
  ["POST", "/k?select&select-type=2", vh("b"), { op: "NotImplemented", name: "SelectObjectContent", bucket: "b", key: "k" }],
];

describe("parseEndpoint", () => {
  for (const [label, rows] of [["AWS examples", AWS_EXAMPLES], ["path style", PATH_STYLE], ["served sub-resources", SUBRESOURCES], ["unserved sub-resources", UNSERVED]] as const) {
    describe(label, () => {
      for (const [method, target, headers, expected] of rows) {
        test(`${method} ${headers.host ?? ""}${target}`, () => {
          expect(parse(method, target, headers)).toEqual(expected);
        });
      }
    });
  }

  test("a served sub-resource with a method it lacks is MethodNotAllowed", () => {
    expect(() => parse("DELETE", "/?acl", vh("b"))).toThrow(S3Error);
  });

  test("bad percent-encoding is InvalidURI", () => {
    const err = (() => {
      try {
        parse("GET", "/bucket/%E0%A4%A", { host: "127.0.0.1" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(S3Error);
    expect((err as S3Error).code).toBe("InvalidURI");
  });

  test("a method S3 does not know is MethodNotAllowed", () => {
    expect(() => parse("PATCH", "/bucket/key", { host: "127.0.0.1" })).toThrow(S3Error);
    try {
      parse("PATCH", "/bucket/key", { host: "127.0.0.1" });
    } catch (e) {
      expect((e as S3Error).code).toBe("MethodNotAllowed");
    }
  });

  test("a host that only ends with a domain name, not a label of it, is path style", () => {
    expect(parse("GET", "/b/k", { host: "notlocalhost" })).toEqual({ op: "GetObject", bucket: "b", key: "k" });
  });
});

describe("query parameter names that are Object.prototype members", () => {
  // The sub-resource tables are looked up by query name: a name like `constructor` must be an
  // unknown parameter (ignored, as AWS does), not a member inherited by a plain object.
  for (const name of ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty"]) {
    test(`?${name} on an object is ignored`, () => {
      expect(parse("GET", `/k?${name}`, vh("b"))).toEqual({ op: "GetObject", bucket: "b", key: "k" });
      expect(parse("PUT", `/k?${name}=1`, vh("b"))).toEqual({ op: "PutObject", bucket: "b", key: "k" });
    });
    test(`?${name} on a bucket is ignored`, () => {
      expect(parse("GET", `/?${name}`, vh("b"))).toEqual({ op: "ListObjects", bucket: "b" });
      expect(parse("DELETE", `/?${name}`, vh("b"))).toEqual({ op: "DeleteBucket", bucket: "b" });
    });
  }
});
