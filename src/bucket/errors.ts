/**
 * Typed configuration errors. `code` is the S3 error code the S3 layer sends (status from its
 * code table); `message` is AWS's wording where AWS has one. Never match on the message.
 */
export type BucketConfigCode =
  | "MalformedXML"
  | "InvalidArgument"
  | "InvalidRequest"
  | "InvalidRetentionPeriod"
  | "AccessDenied"
  | "NotImplemented"
  | "MalformedPOSTRequest"
  | "MaxPostPreDataLengthExceededError"
  | "IncompleteBody";

export class BucketConfigError extends Error {
  override readonly name = "BucketConfigError";
  constructor(
    readonly code: BucketConfigCode,
    message: string,
  ) {
    super(message);
  }
}
