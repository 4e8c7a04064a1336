/**
 * zod helpers for configuration documents as the S3 XML parser hands them over: every value a
 * string, an empty element `""`, and a repeated element an array only when it occurs twice
 * (unless the parser lists its path). Shape errors become MalformedXML, as AWS answers them.
 */
import { z } from "zod";
import { BucketConfigError } from "./errors";

/** An element that may occur once (object/string) or many times (array). */
export function list<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));
}

/** An element with children; `<X/>` arrives as "" and means an empty object. */
export function element<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((v) => (v === "" ? {} : v), z.strictObject(shape));
}

export const text = z.string();

/** A decimal integer in element text; the sign is allowed so range checks can answer with their own codes. */
export const integer = z.string().trim().regex(/^-?\d{1,15}$/).transform(Number);

/** Parse `input` with `schema`, turning every shape error into MalformedXML. */
export function parseShape<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw malformedXml();
  return result.data;
}

export function malformedXml(): BucketConfigError {
  return new BucketConfigError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
}
