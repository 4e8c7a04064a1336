/**
 * zod schemas for the S3 response bodies the CLI reads (DESIGN: client → s3/xml), over the same
 * parser output as requests. Numbers and booleans arrive as text and are converted here, once.
 * The handler tests parse Cairn's own responses with these, so builder and schemas stay in step.
 */
import { z } from "zod";

const text = z.string();
const optText = text.optional();
const int = text.regex(/^\d+$/).transform(Number);
const bool = z.enum(["true", "false"]).transform((s) => s === "true");
const date = text.transform((s, ctx) => {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) ctx.addIssue({ code: "custom", message: `not a date: ${s}` });
  return d;
});

/** `<X/>` parses as ""; treat it as an element without children. */
function element<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => (v === "" ? {} : v), z.object(shape));
}

const owner = element({ ID: optText, DisplayName: optText });
const prefixes = z.array(element({ Prefix: text })).default([]);

export const errorResponse = element({
  Code: text,
  Message: text.default(""),
  Key: optText,
  BucketName: optText,
  Resource: optText,
  RequestId: optText,
  HostId: optText,
});

export const listAllMyBucketsResult = element({
  Owner: owner.optional(),
  Buckets: element({ Bucket: z.array(element({ Name: text, CreationDate: date })).default([]) }),
});

const objectEntry = element({
  Key: text,
  LastModified: date,
  ETag: text,
  Size: int,
  StorageClass: optText,
  Owner: owner.optional(),
});

export const listBucketResult = element({
  Name: text,
  Prefix: text.default(""),
  Delimiter: optText,
  MaxKeys: int,
  IsTruncated: bool,
  KeyCount: int.optional(),
  Marker: optText,
  NextMarker: optText,
  ContinuationToken: optText,
  NextContinuationToken: optText,
  StartAfter: optText,
  EncodingType: optText,
  Contents: z.array(objectEntry).default([]),
  CommonPrefixes: prefixes,
});

const versionEntry = element({
  Key: text,
  VersionId: text,
  IsLatest: bool,
  LastModified: date,
  ETag: optText,
  Size: int.optional(),
  StorageClass: optText,
});

export const listVersionsResult = element({
  Name: text,
  Prefix: text.default(""),
  KeyMarker: text.default(""),
  VersionIdMarker: text.default(""),
  NextKeyMarker: optText,
  NextVersionIdMarker: optText,
  MaxKeys: int,
  IsTruncated: bool,
  Version: z.array(versionEntry).default([]),
  DeleteMarker: z.array(versionEntry).default([]),
  CommonPrefixes: prefixes,
});

export const initiateMultipartUploadResult = element({ Bucket: text, Key: text, UploadId: text });

export const completeMultipartUploadResult = element({ Location: optText, Bucket: text, Key: text, ETag: text });

export const copyObjectResult = element({ ETag: text, LastModified: date });

export const listPartsResult = element({
  Bucket: text,
  Key: text,
  UploadId: text,
  PartNumberMarker: int,
  NextPartNumberMarker: int,
  MaxParts: int,
  IsTruncated: bool,
  Part: z.array(element({ PartNumber: int, LastModified: date, ETag: text, Size: int })).default([]),
});

export const deleteResult = element({
  Deleted: z.array(element({ Key: text, VersionId: optText, DeleteMarker: bool.optional(), DeleteMarkerVersionId: optText })).default([]),
  Error: z.array(element({ Key: text, VersionId: optText, Code: text, Message: text.default("") })).default([]),
});
