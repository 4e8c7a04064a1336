/**
 * The raw-socket load generator, for small GET and HEAD: keep-alive connections that send
 * presigned requests, one per key of the cell taken in turn (as wrk and the fetch generator
 * cycle through them), and read just enough of each answer (status line, Content-Length or
 * chunked framing; HEAD has no body). Why it exists: wrk is as cheap for GET but cannot do HEAD
 * (its parser waits for the Content-Length bytes of a HEAD answer), and the fetch generator
 * spends most of a core at c=32, which on a 2-core machine is taken from the server it
 * measures. Run as its own process (`bun scripts/bench/rawgen.ts '<LoadSpec JSON>'`) like
 * loadgen.ts; prints one LoadResult as JSON.
 */
import type { Socket } from "bun";
import { presignedKeyUrls } from "./sigv4";
import { LatencyLog } from "./stats";
import type { LoadResult, LoadSpec } from "./types";

/** Which specs it can run: a time-bounded GET or HEAD of objects of at most 64 KiB, no range. */
export function rawCanRun(spec: LoadSpec): boolean {
  const timed = spec.seconds !== undefined && spec.seconds > 0;
  return (spec.op === "get" || spec.op === "head") && spec.range === undefined && timed && spec.size <= 64 * 1024;
}

const HEADER_END = Buffer.from("\r\n\r\n");
const CRLF = Buffer.from("\r\n");

/** One answer's framing, read off its header block. */
export interface Framing {
  status: number;
  /** Body bytes to read; -1: chunked. */
  length: number;
}

/** Status and body framing from a response header block (latin1, without the blank line). */
export function parseHead(head: string, isHead: boolean): Framing {
  const status = Number(head.slice(9, 12));
  if (!(status >= 100 && status < 600)) throw new Error(`bad status line: ${head.slice(0, 40)}`);
  if (isHead || status === 204 || status === 304) return { status, length: 0 };
  const lower = head.toLowerCase();
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) return { status, length: -1 };
  const m = /\r\ncontent-length:\s*(\d+)/.exec(lower);
  if (!m) throw new Error(`answer without Content-Length or chunked framing (status ${status})`);
  return { status, length: Number(m[1]) };
}

/**
 * Reads one chunked body from `buf` at `at`; returns where it ends and its payload size, or null
 * when `buf` does not hold all of it yet (the caller keeps the bytes and tries again).
 */
export function readChunked(buf: Buffer, at: number): { end: number; bytes: number } | null {
  let bytes = 0;
  for (;;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol < 0) return null;
    const size = parseInt(buf.toString("latin1", at, eol).split(";")[0]!, 16);
    if (!Number.isFinite(size)) throw new Error("bad chunk size");
    if (size === 0) {
      // No trailers are sent to us; the last chunk ends with an empty line.
      return eol + 4 <= buf.length ? { end: eol + 4, bytes } : null;
    }
    if (eol + 2 + size + 2 > buf.length) return null;
    bytes += size;
    at = eol + 2 + size + 2;
  }
}

interface Conn {
  pending: Buffer | null;
  framing: Framing | null;
  bodyAt: number;
  started: number;
}

export async function runRaw(spec: LoadSpec): Promise<LoadResult> {
  const method = spec.op === "head" ? "HEAD" : "GET";
  const isHead = method === "HEAD";
  const urls = presignedKeyUrls(spec, method);
  const requests = urls.map((u) => Buffer.from(`${method} ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`, "latin1"));
  const url = urls[0]!;
  let sent = 0;
  const lat = new LatencyLog();
  const errorSamples = new Set<string>();
  let errors = 0;
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + spec.seconds! * 1000;

  const fail = (why: string) => {
    errors++;
    if (errorSamples.size < 5) errorSamples.add(why);
  };

  /** Consumes whole answers from the front of `buf`; returns the number of answers completed. */
  function consume(c: Conn, buf: Buffer): number {
    let at = 0;
    let done = 0;
    while (at < buf.length) {
      if (c.framing === null) {
        const end = buf.indexOf(HEADER_END, at);
        if (end < 0) break;
        c.framing = parseHead(buf.toString("latin1", at, end), isHead);
        c.bodyAt = end + 4;
      }
      const f = c.framing;
      let next: number;
      let got: number;
      if (f.length >= 0) {
        if (c.bodyAt + f.length > buf.length) break;
        next = c.bodyAt + f.length;
        got = f.length;
      } else {
        const r = readChunked(buf, c.bodyAt);
        if (r === null) break;
        next = r.end;
        got = r.bytes;
      }
      if (f.status >= 200 && f.status < 300) {
        lat.add(performance.now() - c.started);
        bytes += got;
      } else fail(`HTTP ${f.status}`);
      c.framing = null;
      at = next;
      done++;
    }
    // Unfinished bytes are kept; the header offsets restart from the kept part.
    if (at < buf.length) {
      if (c.framing) c.bodyAt -= at;
      c.pending = at === 0 ? buf : buf.subarray(at);
    } else c.pending = null;
    return done;
  }

  function connection(): Promise<void> {
    return new Promise<void>((resolve) => {
      const c: Conn = { pending: null, framing: null, bodyAt: 0, started: 0 };
      const send = (s: Socket<undefined>) => {
        c.started = performance.now();
        s.write(requests[sent++ % requests.length]!);
      };
      let ended = false;
      const again = () => {
        if (ended) return;
        ended = true;
        if (performance.now() < deadline) void connection().then(resolve);
        else resolve();
      };
      void Bun.connect({
        hostname: url.hostname,
        port: Number(url.port),
        socket: {
          open: send,
          data(s, chunk) {
            const buf = c.pending ? Buffer.concat([c.pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
            try {
              if (consume(c, buf) === 0) return;
            } catch (err) {
              fail(err instanceof Error ? err.message : String(err));
              s.end();
              return;
            }
            if (performance.now() < deadline) send(s);
            else s.end();
          },
          close() {
            // Closed by the server mid-answer (or at the deadline by us): a new connection goes on.
            if (c.pending || c.framing) fail("connection closed mid-answer");
            again();
          },
          error(_s, err) {
            fail(err.message);
          },
          connectError(_s, err) {
            fail(`connect: ${err.message}`);
            setTimeout(again, 10);
          },
        },
      });
    });
  }

  await Promise.all(Array.from({ length: spec.concurrency }, connection));
  const cpu = process.cpuUsage(cpu0);
  return {
    ops: lat.count,
    errors,
    bytes,
    items: lat.count,
    elapsedMs: performance.now() - t0,
    latencyMs: lat.summary(),
    genCpuSec: (cpu.user + cpu.system) / 1e6,
    generator: "raw",
    errorSamples: [...errorSamples],
  };
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
  process.stdout.write(JSON.stringify(await runRaw(spec)) + "\n");
  process.exit(0);
}
