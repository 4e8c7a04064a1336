import { describe, expect, test } from "bun:test";
import { BucketConfigError } from "./errors";
import { formBoundary, MAX_POST_FIELDS_BYTES, parsePostForm } from "./post-form";

const enc = new TextEncoder();
const B = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

function form(parts: { name: string; value: string; fileName?: string; type?: string }[], close = true): string {
  const body = parts.map((p) => {
    const disp = `Content-Disposition: form-data; name="${p.name}"${p.fileName !== undefined ? `; filename="${p.fileName}"` : ""}`;
    return `--${B}\r\n${disp}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n${p.value}\r\n`;
  });
  return body.join("") + (close ? `--${B}--\r\n` : "");
}

/** A stream that yields `bytes` cut at the given offsets. */
function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i + 1 >= points.length) return c.close();
      c.enqueue(bytes.slice(points[i], points[i + 1]));
      i++;
    },
  });
}

async function text(s: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(s).text();
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BucketConfigError) return e.code;
    throw e;
  }
  return "ok";
}

// File content with near-boundaries: CRLF, dashes, a boundary prefix, a boundary without CRLF.
const fileBody = `line1\r\n--${B.slice(0, 10)}\r\n-\r\n--\r\n${B}\r\nend`;
const example = form([
  { name: "key", value: "uploads/${filename}" },
  { name: "Policy", value: "eyJleHBpcmF0aW9uIjoi" },
  { name: "x-amz-meta-note", value: "a\r\nb" },
  { name: "file", value: fileBody, fileName: "cat.txt", type: "text/plain" },
  { name: "ignored-after-file", value: "x" },
]);

describe("parsePostForm", () => {
  test("fields, file name, type and content", async () => {
    const f = await parsePostForm(chunked(enc.encode(example), []), B);
    expect(f.fields).toEqual([["key", "uploads/${filename}"], ["Policy", "eyJleHBpcmF0aW9uIjoi"], ["x-amz-meta-note", "a\r\nb"]]);
    expect(f.fileName).toBe("cat.txt");
    expect(f.fileContentType).toBe("text/plain");
    expect(await text(f.file)).toBe(fileBody);
  });

  test("every split position of the body into two reads", async () => {
    const bytes = enc.encode(example);
    for (let cut = 1; cut < bytes.length; cut++) {
      const f = await parsePostForm(chunked(bytes, [cut]), B);
      expect(f.fields.length).toBe(3);
      expect(await text(f.file)).toBe(fileBody);
    }
  });

  test("one byte per read", async () => {
    const bytes = enc.encode(example);
    const f = await parsePostForm(chunked(bytes, Array.from({ length: bytes.length }, (_, i) => i)), B);
    expect(f.fields.map(([k]) => k)).toEqual(["key", "Policy", "x-amz-meta-note"]);
    expect(await text(f.file)).toBe(fileBody);
  });

  test("a preamble, an empty file and a file part that is first", async () => {
    const f = await parsePostForm(chunked(enc.encode(`preamble\r\n${form([{ name: "file", value: "", fileName: "" }])}`), []), B);
    expect(f.fields).toEqual([]);
    expect(f.fileName).toBe("");
    expect(await text(f.file)).toBe("");
  });

  test("the file streams: its first bytes arrive before the body has been read", async () => {
    const head = enc.encode(form([{ name: "key", value: "k" }], false) + `--${B}\r\nContent-Disposition: form-data; name="file"; filename="big"\r\n\r\n`);
    const total = 64;
    let produced = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (produced === 0) c.enqueue(head);
        else if (produced <= total) c.enqueue(new Uint8Array(1 << 20).fill(0x61));
        else {
          c.enqueue(enc.encode(`\r\n--${B}--\r\n`));
          c.close();
        }
        produced++;
      },
    }, { highWaterMark: 0 });
    const f = await parsePostForm(body, B);
    const reader = f.file.getReader();
    const first = await reader.read();
    expect(first.value?.length).toBeGreaterThan(0);
    expect(produced).toBeLessThan(5);
    let size = first.value?.length ?? 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) size += r.value.length;
    expect(size).toBe(total << 20);
  });

  test("fields larger than 20 KiB in total are refused; exactly at the limit is fine", async () => {
    const name = "x-amz-meta-big";
    const exact = "a".repeat(MAX_POST_FIELDS_BYTES - name.length);
    const ok = form([{ name, value: exact }, { name: "file", value: "f", fileName: "f" }]);
    expect(await failure(parsePostForm(chunked(enc.encode(ok), [100]), B))).toBe("ok");
    const big = form([{ name, value: `${exact}a` }, { name: "file", value: "f", fileName: "f" }]);
    expect(await failure(parsePostForm(chunked(enc.encode(big), [100]), B))).toBe("MaxPostPreDataLengthExceededError");
    const many = form([...Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: "b".repeat(1000) })), { name: "file", value: "f", fileName: "f" }]);
    expect(await failure(parsePostForm(chunked(enc.encode(many), []), B))).toBe("MaxPostPreDataLengthExceededError");
  });

  test("malformed bodies", async () => {
    const parse = (s: string) => failure(parsePostForm(chunked(enc.encode(s), []), B));
    expect(await parse(form([{ name: "key", value: "k" }]))).toBe("InvalidArgument");
    expect(await parse("no boundary at all")).toBe("MalformedPOSTRequest");
    expect(await parse(`--${B}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${B}--`)).toBe("MalformedPOSTRequest");
    expect(await parse(`--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${B}--`)).toBe("MalformedPOSTRequest");
    expect(await parse(`--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\nnever ends`)).toBe("MalformedPOSTRequest");
  });

  test("a body cut inside the file errors the file stream", async () => {
    const f = await parsePostForm(chunked(enc.encode(form([{ name: "file", value: "partial", fileName: "f" }], false).slice(0, -5)), []), B);
    expect(await failure(text(f.file))).toBe("MalformedPOSTRequest");
  });
});

describe("formBoundary", () => {
  test("quoted, unquoted, absent", () => {
    expect(formBoundary(`multipart/form-data; boundary=${B}`)).toBe(B);
    expect(formBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b"')).toBe("a b");
    expect(formBoundary("multipart/form-data")).toBeUndefined();
    expect(formBoundary("application/x-www-form-urlencoded; boundary=x")).toBeUndefined();
    expect(formBoundary(null)).toBeUndefined();
  });
});
