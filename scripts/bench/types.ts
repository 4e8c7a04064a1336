/** Shapes shared by the bench orchestrator (scripts/bench.ts) and its child processes. */

export type Op = "put" | "get" | "getr" | "head" | "delete" | "list" | "mpu" | "dget";

/** What one load-generator run does; sent to the child as JSON. */
export interface LoadSpec {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  op: Exclude<Op, "dget">;
  bucket: string;
  /** Keys are `${keyPrefix}${n}`; GET/HEAD cycle over n < keyCount, PUT/DELETE count upwards. */
  keyPrefix: string;
  keyCount: number;
  /** `nested` spreads keys over 10 × 100 directories (`d3/e41/…`) for the nested LIST walk. */
  keyStyle?: "flat" | "nested";
  /** First n for PUT/DELETE, so a DELETE cell can remove exactly what a PUT cell wrote. */
  keyStart?: number;
  size: number;
  concurrency: number;
  /** Time bound: no new op starts after this; in-flight ops finish (up to a hard cap). */
  seconds?: number;
  /** Count bound (prefill, cleanup): stop after this many ops. */
  total?: number;
  /** Large PUT bodies are streamed from this file rather than held per request in memory. */
  bodyFile?: string;
  /** Ranged GET: bytes [start, start+length). */
  range?: { start: number; length: number };
  /** LIST: prefix and delimiter of the walk; pages of maxKeys. */
  list?: { prefix: string; delimiter?: string; maxKeys: number };
  /** Multipart: part size; parts of one upload are sent one after another. */
  partSize?: number;
}

export interface Latency {
  p50: number;
  p99: number;
  p999: number;
  mean: number;
}

/** What a load-generator run reports (milliseconds for latency and elapsed time). */
export interface LoadResult {
  ops: number;
  errors: number;
  /** Payload bytes moved (body bytes for PUT/GET, keys for LIST are in `items`). */
  bytes: number;
  /** Items per op when an op carries many (LIST keys); equals ops otherwise. */
  items: number;
  elapsedMs: number;
  latencyMs: Latency;
  /** The generator's own CPU seconds (user + system) over the run. */
  genCpuSec: number;
  generator: "fetch" | "wrk" | "raw";
  /** A few distinct error descriptions, for the reader. */
  errorSamples: string[];
}

export const EMPTY_LATENCY: Latency = { p50: NaN, p99: NaN, p999: NaN, mean: NaN };
