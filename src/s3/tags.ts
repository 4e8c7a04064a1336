/**
 * Tag sets: validated once here, stored as a URL query string (the `x-amz-tagging` header
 * form) in object system metadata (`tagging`) and in the bucket config blob `tagging`.
 */
import { S3Error } from "./errors";
import type { XmlValue } from "./xml/index";

export interface Tag {
  key: string;
  value: string;
}

export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;

/**
 * AWS's answers, in its words: each tag is checked first (InvalidTag), the count last, and a
 * count over the limit is a BadRequest that names the resource ("Object tags cannot be greater
 * than 10", "Bucket tag count cannot be greater than 50").
 */
export function validateTags(tags: Tag[], max: number): Tag[] {
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.key.length === 0 || [...t.key].length > MAX_KEY) {
      throw new S3Error("InvalidTag", { message: "The TagKey you have provided is invalid" });
    }
    if ([...t.value].length > MAX_VALUE) {
      throw new S3Error("InvalidTag", { message: "The TagValue you have provided is invalid" });
    }
    if (seen.has(t.key)) throw new S3Error("InvalidTag", { message: "Cannot provide multiple Tags with the same key" });
    seen.add(t.key);
  }
  if (tags.length > max) throw new S3Error("BadRequest", { message: tooManyTags(max) });
  return tags;
}

function tooManyTags(max: number): string {
  return max === MAX_BUCKET_TAGS ? `Bucket tag count cannot be greater than ${max}` : `Object tags cannot be greater than ${max}`;
}

/** `x-amz-tagging` / stored form → tags (validated). */
export function parseTagQuery(s: string, max = MAX_OBJECT_TAGS): Tag[] {
  if (s === "") return [];
  const tags: Tag[] = [];
  for (const [key, value] of new URLSearchParams(s)) tags.push({ key, value });
  return validateTags(tags, max);
}

export function encodeTags(tags: Tag[]): string {
  const q = new URLSearchParams();
  for (const t of tags) q.append(t.key, t.value);
  return q.toString();
}

export function tagsFromXml(parsed: { TagSet: { Tag: { Key: string; Value: string }[] } }, max: number): Tag[] {
  return validateTags(
    parsed.TagSet.Tag.map((t) => ({ key: t.Key, value: t.Value })),
    max,
  );
}

export function tagsToXml(tags: Tag[]): Record<string, XmlValue> {
  return { TagSet: { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } };
}
