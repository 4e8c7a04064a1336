/**
 * One zod schema per S3 request body shape, over the parser's output (leaves are strings,
 * listed elements are arrays, empty elements are ""). Unknown elements are ignored, as AWS does.
 */
import { z } from "zod";

/** An element that may be written empty (`<TagSet/>`) parses as ""; treat it as no children. */
function element<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => (v === "" ? {} : v), z.object(shape));
}

const text = z.string();
const checksumFields = {
  ChecksumCRC32: text.optional(),
  ChecksumCRC32C: text.optional(),
  ChecksumCRC64NVME: text.optional(),
  ChecksumSHA1: text.optional(),
  ChecksumSHA256: text.optional(),
};

export const createBucketConfiguration = element({
  LocationConstraint: text.optional(),
});

export const versioningConfiguration = element({
  Status: z.enum(["Enabled", "Suspended"]).optional(),
  MfaDelete: z.enum(["Enabled", "Disabled"]).optional(),
});

export const deleteRequest = element({
  Quiet: z.enum(["true", "false", "True", "False"]).optional(),
  Object: z.array(element({ Key: text, VersionId: text.optional() })).min(1),
});

export const completeMultipartUpload = element({
  Part: z
    .array(
      element({
        PartNumber: text.regex(/^\s*\d{1,5}\s*$/).transform((s) => Number(s.trim())),
        ETag: text,
        ...checksumFields,
      }),
    )
    .min(1),
});

export const tagging = element({
  TagSet: element({
    Tag: z.array(element({ Key: text, Value: text })).default([]),
  }),
});

export type DeleteRequest = z.output<typeof deleteRequest>;
export type CompleteMultipartUploadRequest = z.output<typeof completeMultipartUpload>;
export type TaggingRequest = z.output<typeof tagging>;
