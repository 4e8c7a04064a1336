/**
 * The one XML parser configuration for S3 request bodies (and, for the CLI, responses).
 * fast-xml-parser's defaults are wrong for S3: they turn `<Key>0123</Key>` into 123, trim keys
 * and make a single `<Part>` an object. Everything here is explicit, and hostile input
 * (DTDs, entity tricks, deep nesting, huge bodies) fails as MalformedXML in bounded time.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { z } from "zod";
import { S3Error } from "../errors";

/** Body size cap for small XML request shapes (configuration, tagging). */
export const XML_BODY_LIMIT = 1 << 20;
/**
 * Cap for the two list-shaped bodies: 1000 DeleteObjects keys of up to 1 KiB (escaped), or
 * 10000 CompleteMultipartUpload parts with checksums, exceed 1 MiB.
 */
export const XML_LIST_BODY_LIMIT = 8 << 20;
const MAX_DEPTH = 20;

/** Elements that are lists even when they occur once, by path from the root. */
const ARRAY_PATHS = new Set([
  "CompleteMultipartUpload.Part",
  "Delete.Object",
  "Tagging.TagSet.Tag",
  "ListBucketResult.Contents",
  "ListBucketResult.CommonPrefixes",
  "ListAllMyBucketsResult.Buckets.Bucket",
  "ListVersionsResult.Version",
  "ListVersionsResult.DeleteMarker",
  "ListVersionsResult.CommonPrefixes",
  "DeleteResult.Deleted",
  "DeleteResult.Error",
  "ListPartsResult.Part",
  "ListMultipartUploadsResult.Upload",
  "ListMultipartUploadsResult.CommonPrefixes",
  "ListBucketResult.Contents.ChecksumAlgorithm",
]);

const ARRAY_NAMES = new Set([...ARRAY_PATHS].map((p) => p.slice(p.lastIndexOf(".") + 1)));

/** Only XML's five named entities; numeric references are decoded by the library in the same pass. */
const XML_ENTITIES = { amp: "&", apos: "'", gt: ">", lt: "<", quot: '"' };

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // An object here means "exactly these named entities, numeric references allowed".
  htmlEntities: XML_ENTITIES as unknown as boolean,
  maxNestedTags: MAX_DEPTH,
  // Path strings for every tag cost ~2x the parse time (measured on 10000-part bodies): build
  // one only for the few names that can be lists.
  jPath: false,
  isArray: (name, matcher) => ARRAY_NAMES.has(name) && ARRAY_PATHS.has(String(matcher)),
});

const FORBIDDEN = /<!DOCTYPE|<!ENTITY/i;

/** Parses `text`, requires `root` as the document element and validates it against `schema`. */
export function parseXml<S extends z.ZodType>(text: string, root: string, schema: S): z.output<S> {
  if (text.trim() === "") throw new S3Error("MalformedXML");
  if (FORBIDDEN.test(text)) throw new S3Error("MalformedXML", { message: "DTDs and entity declarations are not accepted." });
  if (XMLValidator.validate(text) !== true) throw new S3Error("MalformedXML");
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new S3Error("MalformedXML", { cause });
  }
  const roots = Object.keys(doc).filter((k) => k !== "#text");
  if (roots.length !== 1 || roots[0] !== root) throw new S3Error("MalformedXML");
  const result = schema.safeParse(doc[root]);
  if (!result.success) throw new S3Error("MalformedXML", { cause: result.error });
  return result.data;
}

/** Reads at most `limit` bytes of a request body as UTF-8; larger or non-UTF-8 bodies are MalformedXML. */
export async function readBodyBytes(body: ReadableStream<Uint8Array> | null, limit = XML_BODY_LIMIT): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        throw new S3Error("MalformedXML", { message: `The XML body exceeds ${limit} bytes.` });
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new S3Error("MalformedXML", { cause });
  }
}
