/**
 * Streaming multipart/form-data for browser POST uploads. The fields before the `file` part are
 * read into memory (bounded), the file is handed on as a stream that ends at the next boundary,
 * and anything after it is ignored, as S3 does. Nothing here buffers the file.
 * (Bun's Request.formData() would hold the whole upload in memory; no streaming parser is a
 * declared dependency.)
 */
import { S3Error } from "./errors";

/** Bounds for everything that is not the file: one field, and all fields together. */
const MAX_FIELD = 20 * 1024;
const MAX_FIELDS_TOTAL = 1024 * 1024;
const MAX_PART_HEADERS = 8 * 1024;

export interface FormUpload {
  /** Field name → value, in order, for the fields that precede the file. */
  fields: [string, string][];
  fileName: string;
  fileContentType?: string;
  file: ReadableStream<Uint8Array>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function malformed(message: string): S3Error {
  return new S3Error("MalformedPOSTRequest", { message });
}

/** The boundary of a `multipart/form-data` Content-Type, or undefined. */
export function formBoundary(contentType: string | null): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}

/** A byte buffer over a stream reader with "read up to this delimiter" operations. */
class Scanner {
  private buf = new Uint8Array(0);
  private done = false;
  constructor(private readonly reader: ByteReader) {}

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const { done, value } = await this.reader.read();
    if (done || !value) {
      this.done = true;
      return false;
    }
    const joined = new Uint8Array(this.buf.length + value.length);
    joined.set(this.buf);
    joined.set(value, this.buf.length);
    this.buf = joined;
    return true;
  }

  /** Bytes before `delim` (which is consumed); malformed when absent within `limit`. */
  async readUntil(delim: Uint8Array, limit: number, what: string): Promise<Uint8Array> {
    for (;;) {
      const at = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length).indexOf(delim);
      if (at >= 0) {
        const out = this.buf.slice(0, at);
        this.buf = this.buf.subarray(at + delim.length);
        return out;
      }
      if (this.buf.length > limit + delim.length) throw malformed(`${what} is too large.`);
      if (!(await this.fill())) throw malformed(`Unexpected end of form data in ${what}.`);
    }
  }

  /** The bytes before `delim` as a stream; the delimiter is consumed when the stream ends. */
  streamUntil(delim: Uint8Array): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          const at = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length).indexOf(delim);
          if (at >= 0) {
            if (at > 0) controller.enqueue(this.buf.slice(0, at));
            this.buf = this.buf.subarray(at + delim.length);
            controller.close();
            return;
          }
          // Keep a tail that could be the start of the delimiter; hand on the rest.
          const safe = this.buf.length - (delim.length - 1);
          if (safe > 0) {
            controller.enqueue(this.buf.slice(0, safe));
            this.buf = this.buf.subarray(safe);
            return;
          }
          if (!(await this.fill())) throw malformed("Unexpected end of form data in the file.");
        }
      },
      cancel: () => this.reader.cancel(),
    });
  }

  async skip(n: number): Promise<Uint8Array> {
    while (this.buf.length < n && (await this.fill()));
    const out = this.buf.slice(0, n);
    this.buf = this.buf.subarray(Math.min(n, this.buf.length));
    return out;
  }
}

interface PartHead {
  name: string;
  fileName?: string;
  contentType?: string;
}

function parsePartHeaders(raw: string): PartHead {
  let disposition = "";
  let contentType: string | undefined;
  for (const line of raw.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    else if (name === "content-type") contentType = value;
  }
  const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) throw malformed("A form part has no name.");
  const fileName = /(?:^|;)\s*filename="([^"]*)"/i.exec(disposition)?.[1];
  return { name, ...(fileName !== undefined && { fileName }), ...(contentType !== undefined && { contentType }) };
}

/** Reads fields up to the `file` part and returns the file as a stream. */
export async function readFormUpload(body: ReadableStream<Uint8Array>, boundary: string): Promise<FormUpload> {
  const scan = new Scanner(body.getReader());
  const dash = enc.encode(`--${boundary}`);
  const delim = enc.encode(`\r\n--${boundary}`);
  await scan.readUntil(dash, MAX_FIELD, "the preamble");
  const fields: [string, string][] = [];
  let total = 0;
  for (;;) {
    const after = dec.decode(await scan.skip(2));
    if (after !== "\r\n") throw malformed("The form ended before a file was found.");
    const head = parsePartHeaders(dec.decode(await scan.readUntil(enc.encode("\r\n\r\n"), MAX_PART_HEADERS, "part headers")));
    if (head.name.toLowerCase() === "file") {
      return {
        fields,
        fileName: head.fileName ?? "",
        ...(head.contentType !== undefined && { fileContentType: head.contentType }),
        file: scan.streamUntil(delim),
      };
    }
    const value = dec.decode(await scan.readUntil(delim, MAX_FIELD, `the field ${head.name}`));
    total += value.length;
    if (total > MAX_FIELDS_TOTAL) throw malformed("The form fields are too large.");
    fields.push([head.name, value]);
  }
}
