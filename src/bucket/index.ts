/** Bucket configuration engines: pure models + decisions, S3- and storage-independent. */
export { BucketConfigError, type BucketConfigCode } from "./errors";
export * from "./cors";
export * from "./lifecycle";
export * from "./object-lock";
export * from "./post-form";
export * from "./scanner";
