/** Small helpers shared by the commands: sizes, ages, attributes, confirmation. */
import { ClientError } from "./errors";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

export function formatSize(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)}B` : `${v.toFixed(v < 10 ? 2 : 1)}${UNITS[i]}`;
}

const SIZE_FACTORS: Record<string, number> = {
  "": 1, b: 1,
  k: 1e3, kb: 1e3, kib: 1024, ki: 1024,
  m: 1e6, mb: 1e6, mib: 1024 ** 2, mi: 1024 ** 2,
  g: 1e9, gb: 1e9, gib: 1024 ** 3, gi: 1024 ** 3,
  t: 1e12, tb: 1e12, tib: 1024 ** 4, ti: 1024 ** 4,
};

/** "16MiB", "64M", "1.5GB", "1024" → bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m?.[2]!.toLowerCase() ?? "";
  const factor = m && Object.hasOwn(SIZE_FACTORS, unit) ? SIZE_FACTORS[unit] : undefined;
  if (!m || factor === undefined) throw new ClientError("usage", `invalid size '${text}' (examples: 5MiB, 64M, 1G)`);
  return Math.round(Number(m[1]) * factor);
}

const AGE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

/** "7d", "12h", "30m", "1d12h" → milliseconds. */
export function parseAge(text: string): number {
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new ClientError("usage", `invalid age '${text}' (examples: 7d, 12h, 1d12h)`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * AGE_UNITS[p[2]!]! * 1000, 0);
}

/** Headers S3 stores as they are; any other attribute becomes user metadata. */
const STANDARD = new Set(["content-type", "cache-control", "content-encoding", "content-disposition", "content-language", "expires"]);

/** `--attr "Cache-Control=max-age=90;Artist=Unknown"` → request headers. */
export function parseAttrs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(";")) {
    if (pair.trim() === "") continue;
    const at = pair.indexOf("=");
    if (at <= 0) throw new ClientError("usage", `invalid --attr entry '${pair}': use NAME=VALUE`);
    const name = pair.slice(0, at).trim().toLowerCase();
    const value = pair.slice(at + 1);
    out[STANDARD.has(name) || name.startsWith("x-amz-") ? name : `x-amz-meta-${name}`] = value;
  }
  return out;
}

/** Asks on the terminal; without one (scripts) the answer is no: use --force there. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  process.stderr.write(`${question} [y/N] `);
  for await (const line of console) return /^y(es)?$/i.test(line.trim());
  return false;
}

/** Runs `fn` over `items` with at most `limit` in flight; the first failure stops new work. */
export async function pool<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const it = items[Symbol.iterator]();
  let failed = false;
  const worker = async () => {
    for (let r = it.next(); !r.done && !failed; r = it.next()) {
      try {
        await fn(r.value);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
