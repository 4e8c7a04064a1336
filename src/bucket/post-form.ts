/**
 * Streaming `multipart/form-data` for S3 POST Object (browser uploads). Fields before the part
 * named `file` are read into memory, bounded as S3 bounds them; the file is handed on as a
 * ReadableStream that ends at the next boundary, so a 5 GiB upload never sits in memory. S3
 * ignores everything after the file part ("fields below it are ignored"), so the parser stops
 * reading there. npm's web-stream parsers (@remix-run/multipart-parser and its predecessor)
 * buffer each part in memory (maxFileSize, default 2 MiB), so none fits.
 */
import { BucketConfigError } from "./errors";

/** S3: "fields preceding the upload file" may total 20 KiB. */
export const MAX_POST_FIELDS_BYTES = 20 * 1024;
/** One part's header block (Content-Disposition, Content-Type). */
const MAX_PART_HEADER_BYTES = 8 * 1024;

export interface PostForm {
  /** [name, value] in form order, names as sent (policy matching lower-cases them). */
  fields: [string, string][];
  /** The `filename` of the file part ("" when the browser sent none). */
  fileName: string;
  fileContentType?: string;
  /** The file's bytes; errors with MalformedPOSTRequest if the body ends before the boundary. */
  file: ReadableStream<Uint8Array>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const CRLF2 = enc.encode("\r\n\r\n");
const malformed = (m = "The body of your POST request is not well-formed multipart/form-data.") => new BucketConfigError("MalformedPOSTRequest", m);

/** The boundary parameter of a `multipart/form-data` Content-Type, or undefined. */
export function formBoundary(contentType: string | null | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^";\s]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

function view(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** The part of a stream reader the cursor uses (DOM and node:stream/web readers both fit). */
interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(): Promise<void>;
}

/** A read buffer over the body: appends chunks, finds byte strings, hands out views. */
class Cursor {
  buf: Uint8Array;
  constructor(
    private readonly reader: ByteReader,
    initial: Uint8Array,
  ) {
    this.buf = initial;
  }

  /** The next chunk of the body, bypassing the buffer; null at its end. */
  async next(): Promise<Uint8Array | null> {
    const { done, value } = await this.reader.read();
    return done || value === undefined ? null : value;
  }

  /** Append one more chunk to the buffer; false at end of body. */
  async more(): Promise<boolean> {
    const value = await this.next();
    if (value === null) return false;
    this.append(value);
    return true;
  }

  append(value: Uint8Array): void {
    if (this.buf.length === 0) {
      this.buf = value;
      return;
    }
    const joined = new Uint8Array(this.buf.length + value.length);
    joined.set(this.buf);
    joined.set(value, this.buf.length);
    this.buf = joined;
  }

  indexOf(needle: Uint8Array): number {
    return view(this.buf).indexOf(needle);
  }

  take(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** The bytes before `needle` (consumed with it); at most `limit` of them. */
  async until(needle: Uint8Array, limit: number, tooLarge: () => BucketConfigError): Promise<Uint8Array> {
    for (;;) {
      const i = this.indexOf(needle);
      if (i >= 0) {
        if (i > limit) throw tooLarge();
        const out = this.take(i);
        this.take(needle.length);
        return out;
      }
      if (this.buf.length > limit + needle.length) throw tooLarge();
      if (!(await this.more())) throw malformed();
    }
  }

  async atLeast(n: number): Promise<void> {
    while (this.buf.length < n) if (!(await this.more())) throw malformed();
  }

  cancel(): void {
    this.reader.cancel().catch(() => {});
  }
}

interface PartHead { name: string; fileName?: string; contentType?: string }

function parsePartHead(block: string): PartHead {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) throw malformed();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    else if (name === "content-type") contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw malformed();
  const param = (p: string) => new RegExp(`;\\s*${p}="([^"]*)"`, "i").exec(disposition)?.[1] ?? new RegExp(`;\\s*${p}=([^";\\s]+)`, "i").exec(disposition)?.[1];
  const name = param("name");
  if (name === undefined) throw malformed();
  const fileName = param("filename");
  return { name, ...(fileName !== undefined ? { fileName } : {}), ...(contentType !== undefined ? { contentType } : {}) };
}

/** After a delimiter: `--` ends the form (false); otherwise skip padding to CRLF (true). */
async function nextPartFollows(cur: Cursor): Promise<boolean> {
  await cur.atLeast(2);
  if (cur.buf[0] === 0x2d && cur.buf[1] === 0x2d) return false;
  const line = await cur.until(enc.encode("\r\n"), 64, () => malformed());
  if (!/^[ \t]*$/.test(dec.decode(line))) throw malformed();
  return true;
}

/**
 * The file part's bytes, up to (not including) the delimiter. Chunks pass through as views, never
 * copied: only the short tail that might begin a delimiter is checked against the next chunk's
 * head separately (copying each chunk onto the tail ran at 0.5-0.7 GB/s; this at several GB/s).
 */
function fileStream(cur: Cursor, delimiter: Uint8Array): ReadableStream<Uint8Array> {
  let finished = false;
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array) => {
    if (bytes.length > 0) controller.enqueue(bytes);
    finished = true;
    controller.close();
    cur.cancel();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const i = cur.indexOf(delimiter);
        if (i >= 0) return finish(controller, cur.take(i));
        const safe = cur.buf.length - (delimiter.length - 1);
        if (safe > 0) return controller.enqueue(cur.take(safe));
        const next = await cur.next();
        if (next === null) throw malformed("The body of your POST request ended before the file's closing boundary.");
        const tail = cur.buf;
        if (tail.length === 0 || next.length < delimiter.length - 1) {
          cur.append(next);
          continue;
        }
        // A delimiter that starts in the tail ends within the next chunk's first bytes.
        const junction = new Uint8Array(tail.length + delimiter.length - 1);
        junction.set(tail);
        junction.set(next.subarray(0, delimiter.length - 1), tail.length);
        const k = view(junction).indexOf(delimiter);
        if (k >= 0 && k < tail.length) return finish(controller, tail.subarray(0, k));
        cur.buf = next;
        return controller.enqueue(tail);
      }
    },
    cancel() {
      if (!finished) cur.cancel();
    },
  });
}

/**
 * Read the fields up to the `file` part and return the file as a stream. Throws BucketConfigError:
 * MalformedPOSTRequest, MaxPostPreDataLengthExceededError, or InvalidArgument (no file part).
 */
export async function parsePostForm(body: ReadableStream<Uint8Array>, boundary: string): Promise<PostForm> {
  const delimiter = enc.encode(`\r\n--${boundary}`);
  // A CRLF in front lets the first boundary (which has none) match the same delimiter.
  const cur = new Cursor(body.getReader(), enc.encode("\r\n"));
  const tooLarge = () => new BucketConfigError("MaxPostPreDataLengthExceededError", "Your POST request fields preceding the upload file were too large.");
  const fields: [string, string][] = [];
  let budget = MAX_POST_FIELDS_BYTES;
  try {
    await cur.until(delimiter, MAX_POST_FIELDS_BYTES, tooLarge);
    while (await nextPartFollows(cur)) {
      const head = parsePartHead(dec.decode(await cur.until(CRLF2, MAX_PART_HEADER_BYTES, () => malformed())));
      if (head.name.toLowerCase() === "file") {
        return { fields, fileName: head.fileName ?? "", ...(head.contentType ? { fileContentType: head.contentType } : {}), file: fileStream(cur, delimiter) };
      }
      budget -= enc.encode(head.name).length;
      const value = await cur.until(delimiter, Math.max(budget, 0), tooLarge);
      budget -= value.length;
      if (budget < 0) throw tooLarge();
      fields.push([head.name, dec.decode(value)]);
    }
  } catch (e) {
    cur.cancel();
    throw e;
  }
  cur.cancel();
  throw new BucketConfigError("InvalidArgument", "POST requires exactly one file upload per request.");
}
