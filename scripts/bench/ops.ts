/**
 * One S3 operation per function, as the load generator issues them: fetch with keep-alive,
 * SigV4 header auth over UNSIGNED-PAYLOAD, bodies drained as streams (large objects are never
 * held whole by the generator either).
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import type { SigV4 } from "./sigv4";
import type { LoadSpec } from "./types";

export class OpError extends Error {
  constructor(readonly status: number, what: string) {
    super(`${what}: HTTP ${status}`);
  }
}

/** What one op moved: payload bytes and items (LIST keys; 1 otherwise). */
export interface OpOutcome {
  bytes: number;
  items: number;
  /** This worker is done: its LIST walked the whole namespace once. */
  passDone?: boolean;
}

/** Runs op number `n` (the key index); each worker owns one, so per-worker state is allowed. */
export type OpFn = (n: number, signal: AbortSignal) => Promise<OpOutcome>;

const SMALL_BODY = 1 << 20;
const xml = new XMLParser({ parseTagValue: false, trimValues: false, isArray: (name) => name === "Contents" });
const xmlOut = new XMLBuilder({});

interface Ctx {
  spec: LoadSpec;
  signer: SigV4;
  now: Date;
  body: Uint8Array;
}

function objectUrl(ctx: Ctx, key: string, query = ""): URL {
  return new URL(`${ctx.spec.endpoint}/${ctx.spec.bucket}/${key}${query}`);
}

async function send(ctx: Ctx, req: { method: string; url: URL; signal: AbortSignal; extra?: Record<string, string>; body?: RequestInit["body"] }) {
  const headers = { ...ctx.signer.headers(req.method, req.url, ctx.now), ...req.extra };
  return fetch(req.url, { method: req.method, headers, body: req.body ?? null, signal: req.signal, decompress: false });
}

/** Reads and discards a body, counting bytes; small bodies in one go, large ones chunk by chunk. */
async function drain(res: Response, expected: number): Promise<number> {
  if (expected < SMALL_BODY || !res.body) return (await res.arrayBuffer()).byteLength;
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.byteLength;
  }
}

async function expectOk(res: Response, what: string, statuses: number[]): Promise<void> {
  if (statuses.includes(res.status)) return;
  await res.arrayBuffer().catch(() => undefined);
  throw new OpError(res.status, what);
}

function putBody(ctx: Ctx, start: number, length: number): RequestInit["body"] {
  if (ctx.spec.bodyFile) return Bun.file(ctx.spec.bodyFile).slice(start, start + length);
  return ctx.body.subarray(start, start + length);
}

/** Key number n of a spec; exported so the orchestrator names the same keys it prefilled. */
export function keyName(spec: Pick<LoadSpec, "keyPrefix" | "keyStyle">, n: number): string {
  if (spec.keyStyle === "nested") return `${spec.keyPrefix}d${n % 10}/e${Math.floor(n / 10) % 100}/${n}`;
  return spec.keyPrefix + n;
}

function keyFor(ctx: Ctx, n: number): string {
  const { keyCount, op } = ctx.spec;
  const cycling = op === "get" || op === "getr" || op === "head";
  return keyName(ctx.spec, cycling ? n % Math.max(1, keyCount) : n);
}

function simpleOp(ctx: Ctx): OpFn {
  const { op, size, range } = ctx.spec;
  return async (n, signal) => {
    const url = objectUrl(ctx, keyFor(ctx, n));
    if (op === "put") {
      const res = await send(ctx, { method: "PUT", url, signal, body: putBody(ctx, 0, size) });
      await expectOk(res, "PUT", [200]);
      await res.arrayBuffer();
      return { bytes: size, items: 1 };
    }
    if (op === "head" || op === "delete") {
      const res = await send(ctx, { method: op === "head" ? "HEAD" : "DELETE", url, signal });
      await expectOk(res, op, [200, 204]);
      await res.arrayBuffer();
      return { bytes: 0, items: 1 };
    }
    const extra: Record<string, string> = range ? { range: `bytes=${range.start}-${range.start + range.length - 1}` } : {};
    const res = await send(ctx, { method: "GET", url, signal, extra });
    await expectOk(res, "GET", range ? [206] : [200]);
    const want = range ? range.length : size;
    const got = await drain(res, want);
    if (got !== want) throw new OpError(res.status, `GET short body ${got}/${want}`);
    return { bytes: got, items: 1 };
  };
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

function nextToken(text: string): string | undefined {
  const m = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(text);
  return m ? xml.parse(`<t>${m[1]}</t>`).t : undefined;
}

function listOp(ctx: Ctx): OpFn {
  const list = ctx.spec.list ?? { prefix: "", maxKeys: 1000 };
  let token: string | undefined;
  return async (_n, signal) => {
    const q = new URLSearchParams({ "list-type": "2", "max-keys": String(list.maxKeys), prefix: list.prefix });
    if (list.delimiter) q.set("delimiter", list.delimiter);
    if (token) q.set("continuation-token", token);
    const url = new URL(`${ctx.spec.endpoint}/${ctx.spec.bucket}?${q}`);
    const res = await send(ctx, { method: "GET", url, signal });
    await expectOk(res, "LIST", [200]);
    const text = await res.text();
    // A full XML parse of a 1,000-key page costs the generator ~20 ms and made it the LIST
    // bottleneck; counting elements and reading one token is all the bench needs.
    const keys = countOf(text, "<Key>") + countOf(text, "<CommonPrefixes>");
    // One pass over the namespace, then this worker stops: a second pass would be served from
    // the pages the server keeps for continuations (its listing cache) and measure that cache.
    token = text.includes("<IsTruncated>true</IsTruncated>") ? nextToken(text) : undefined;
    return { bytes: text.length, items: keys, passDone: token === undefined };
  };
}

function multipartOp(ctx: Ctx): OpFn {
  const { size } = ctx.spec;
  const partSize = ctx.spec.partSize ?? 16 << 20;
  return async (n, signal) => {
    const key = keyFor(ctx, n);
    const created = await send(ctx, { method: "POST", url: objectUrl(ctx, key, "?uploads"), signal });
    await expectOk(created, "CreateMultipartUpload", [200]);
    const uploadId: string = xml.parse(await created.text()).InitiateMultipartUploadResult?.UploadId ?? "";
    const parts: { PartNumber: number; ETag: string }[] = [];
    const id = encodeURIComponent(uploadId);
    for (let off = 0, part = 1; off < size; off += partSize, part++) {
      const len = Math.min(partSize, size - off);
      const url = objectUrl(ctx, key, `?partNumber=${part}&uploadId=${id}`);
      const res = await send(ctx, { method: "PUT", url, signal, body: putBody(ctx, off, len) });
      await expectOk(res, "UploadPart", [200]);
      await res.arrayBuffer();
      parts.push({ PartNumber: part, ETag: res.headers.get("etag") ?? "" });
    }
    const body = xmlOut.build({ CompleteMultipartUpload: { Part: parts } });
    const done = await send(ctx, { method: "POST", url: objectUrl(ctx, key, `?uploadId=${id}`), signal, body });
    await expectOk(done, "CompleteMultipartUpload", [200]);
    const text = await done.text();
    if (text.includes("<Error>")) throw new OpError(200, "CompleteMultipartUpload error body");
    return { bytes: size, items: 1 };
  };
}

/** One op function per worker (LIST keeps its continuation token per worker). */
export function makeOp(spec: LoadSpec, signer: SigV4, body: Uint8Array): OpFn {
  const ctx: Ctx = { spec, signer, now: new Date(), body };
  if (spec.op === "list") return listOp(ctx);
  if (spec.op === "mpu") return multipartOp(ctx);
  return simpleOp(ctx);
}
