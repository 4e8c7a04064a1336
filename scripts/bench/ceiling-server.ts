/**
 * The HTTP ceiling: a bare Bun.serve that answers S3-shaped requests with fixed bodies and no
 * storage, run as its own process (`bun scripts/bench/ceiling-server.ts <port> <dir> [sizes]`) and driven
 * by the same load generator. What Cairn reaches as a fraction of this is the cost of being S3.
 */
import { join } from "node:path";
import { parseSize, sizeFromPath, sizeLabel } from "./sizes";

const IN_MEMORY_MAX = 1 << 20;
const memBodies = new Map<number, Uint8Array>();
const fileBodies = new Map<number, string>();

async function bodyFor(size: number, dir: string): Promise<Uint8Array | Blob> {
  if (size <= IN_MEMORY_MAX) {
    let b = memBodies.get(size);
    if (!b) memBodies.set(size, (b = new Uint8Array(size).fill(97)));
    return b;
  }
  // Large bodies come from a file (sendfile): an in-memory body is copied per connection.
  let path = fileBodies.get(size);
  if (!path) {
    path = join(dir, `ceiling-${sizeLabel(size)}`);
    await Bun.write(path, new Uint8Array(size).fill(97));
    fileBodies.set(size, path);
  }
  return Bun.file(path);
}

/** A page of an endless listing (always truncated): a LIST load walks it until its time is up. */
const LIST_PAGE = (() => {
  const items: string[] = [];
  for (let i = 0; i < 1000; i++) {
    items.push(`<Contents><Key>k/${String(i).padStart(6, "0")}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>k/000999</NextContinuationToken>${items.join("")}</ListBucketResult>`;
})();

const ETAG = { etag: '"d41d8cd98f00b204e9800998ecf8427e"' };

function xmlResponse(body: string): Response {
  return new Response(body, { headers: { "content-type": "application/xml" } });
}

async function drain(req: Request): Promise<void> {
  if (!req.body) return;
  for await (const _ of req.body) {
    // swallowed: the ceiling does no work per byte
  }
}

function parseRange(header: string | null, size: number): [number, number] | undefined {
  const m = header ? /^bytes=(\d+)-(\d*)$/.exec(header) : null;
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] ? Math.min(size - 1, Number(m[2])) : size - 1;
  return [start, end];
}

async function handleGet(req: Request, url: URL, dir: string): Promise<Response> {
  if (url.searchParams.has("list-type")) return xmlResponse(LIST_PAGE);
  const size = sizeFromPath(url.pathname) ?? 0;
  const body = await bodyFor(size, dir);
  const range = parseRange(req.headers.get("range"), size);
  if (req.method === "HEAD") return new Response(null, { headers: { "content-length": String(size), ...ETAG } });
  if (!range) return new Response(body, { headers: ETAG });
  const part = body.slice(range[0], range[1] + 1);
  return new Response(part, {
    status: 206,
    headers: { ...ETAG, "content-range": `bytes ${range[0]}-${range[1]}/${size}` },
  });
}

async function handle(req: Request, dir: string): Promise<Response> {
  const url = new URL(req.url);
  switch (req.method) {
    case "GET":
    case "HEAD":
      return handleGet(req, url, dir);
    case "PUT":
      await drain(req);
      return new Response(null, { headers: ETAG });
    case "DELETE":
      return new Response(null, { status: 204 });
    case "POST":
      await drain(req);
      if (url.searchParams.has("uploads")) {
        return xmlResponse("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>");
      }
      return xmlResponse(`<CompleteMultipartUploadResult><ETag>${ETAG.etag}</ETag></CompleteMultipartUploadResult>`);
    default:
      return new Response(null, { status: 405 });
  }
}

if (import.meta.main) {
  const port = Number(process.argv[2]);
  const dir = process.argv[3] ?? "/tmp";
  // Bodies are made before "ready" so that no cell pays for writing a 256 MiB file.
  for (const label of (process.argv[4] ?? "").split(",").filter(Boolean)) await bodyFor(parseSize(label), dir);
  Bun.serve({
    port,
    hostname: "127.0.0.1",
    maxRequestBodySize: 8 * 1024 ** 3,
    idleTimeout: 0,
    fetch: (req) => handle(req, dir),
  });
  process.stdout.write("ready\n");
}
