/**
 * Fan-out to drives and reduction of per-drive outcomes to one result. This is the only place
 * where a DriveError becomes an ObjectError, and it matches on `kind`, never on message text.
 */
import { ObjectError } from "../object/index";
import { DriveError, type Drive, type DriveErrorKind } from "../storage/index";
import { countQuorumFailure } from "./events";

export type DriveResult<T> = { ok: true; value: T } | { ok: false; error: DriveError };

/** Where an operation applies, for the ObjectError fields. */
export interface ErrLoc {
  bucket: string;
  key?: string;
}

export function asDriveError(e: unknown, drive: string): DriveError {
  if (e instanceof DriveError) return e;
  return new DriveError("Faulty", drive, e instanceof Error ? e.message : String(e), { cause: e });
}

/**
 * Runs `fn` on every drive in parallel. Offline drives are still called: they fail fast with
 * DriveOffline, and a call is also how an offline drive gets probed and comes back.
 */
export function fanOut<T>(
  drives: readonly Drive[],
  fn: (d: Drive, i: number) => Promise<T>,
): Promise<DriveResult<T>[]> {
  return Promise.all(
    drives.map(async (d, i): Promise<DriveResult<T>> => {
      try {
        return { ok: true, value: await fn(d, i) };
      } catch (e) {
        return { ok: false, error: asDriveError(e, d.endpoint) };
      }
    }),
  );
}

export function countOk<T>(results: readonly DriveResult<T>[]): number {
  return results.reduce((n, r) => n + (r.ok ? 1 : 0), 0);
}

/** The most frequent error kind and its count. */
function dominantError<T>(results: readonly DriveResult<T>[]): { kind: DriveErrorKind; count: number } | null {
  const counts = new Map<DriveErrorKind, number>();
  for (const r of results) if (!r.ok) counts.set(r.error.kind, (counts.get(r.error.kind) ?? 0) + 1);
  let best: { kind: DriveErrorKind; count: number } | null = null;
  for (const [kind, count] of counts) if (!best || count > best.count) best = { kind, count };
  return best;
}

/** Maps a drive error kind to the ObjectError a client should see; null for availability faults. */
export function objectErrorFor(kind: DriveErrorKind, loc: ErrLoc, detail = ""): ObjectError | null {
  const key = loc.key ?? "";
  switch (kind) {
    case "FileNotFound":
      return new ObjectError({ kind: "ObjectNotFound", bucket: loc.bucket, key });
    case "VolumeNotFound":
      return new ObjectError({ kind: "BucketNotFound", bucket: loc.bucket });
    case "VolumeExists":
      return new ObjectError({ kind: "BucketExists", bucket: loc.bucket });
    case "VolumeNotEmpty":
      return new ObjectError({ kind: "BucketNotEmpty", bucket: loc.bucket });
    case "InvalidPath":
      return new ObjectError({ kind: "InvalidObjectName", bucket: loc.bucket, key, reason: detail || "invalid path" });
    case "FileCorrupt":
      return new ObjectError({ kind: "FileCorrupt", bucket: loc.bucket, key, detail });
    case "DriveOffline":
    case "DiskFull":
    case "Faulty":
      return null;
  }
}

export function quorumError(mode: "read" | "write", loc: ErrLoc, have: number, need: number): ObjectError {
  const key = loc.key ?? "";
  // Every Insufficient*Quorum error is built here, so this is the one place to count them.
  countQuorumFailure(mode);
  return mode === "read"
    ? new ObjectError({ kind: "InsufficientReadQuorum", bucket: loc.bucket, key, have, need })
    : new ObjectError({ kind: "InsufficientWriteQuorum", bucket: loc.bucket, key, have, need });
}

/**
 * Successful values when at least `quorum` drives succeeded; otherwise the error that a quorum
 * of drives agree on (e.g. FileNotFound → ObjectNotFound), else Insufficient*Quorum.
 */
export function reduceQuorum<T>(
  results: readonly DriveResult<T>[],
  quorum: number,
  loc: ErrLoc,
  mode: "read" | "write",
): T[] {
  const values: T[] = [];
  for (const r of results) if (r.ok) values.push(r.value);
  if (values.length >= quorum) return values;
  throw reducedError(results, quorum, loc, mode);
}

/** The error for a failed quorum (see reduceQuorum). */
export function reducedError<T>(
  results: readonly DriveResult<T>[],
  quorum: number,
  loc: ErrLoc,
  mode: "read" | "write",
): ObjectError {
  const dom = dominantError(results);
  if (dom && dom.count >= quorum) {
    const mapped = objectErrorFor(dom.kind, loc);
    if (mapped) return mapped;
  }
  return quorumError(mode, loc, countOk(results), quorum);
}

/**
 * Why no version reached read quorum: a quorum of drives lacks the bucket (BucketNotFound) or
 * the key/version (`notFound`), else it is a read-quorum failure. `lacks` says whether a drive
 * that answered lacks what was asked for.
 */
export function absentError<T>(
  results: readonly DriveResult<T>[],
  q: { lacks: (v: T) => boolean; loc: ErrLoc; need: number; notFound: () => ObjectError; best: { have: number; need: number } | null },
): ObjectError {
  let absent = 0;
  let noBucket = 0;
  for (const r of results) {
    if (r.ok) absent += q.lacks(r.value) ? 1 : 0;
    else if (r.error.kind === "FileNotFound") absent++;
    else if (r.error.kind === "VolumeNotFound") noBucket++;
  }
  if (noBucket >= q.need) return new ObjectError({ kind: "BucketNotFound", bucket: q.loc.bucket });
  if (absent >= q.need) return q.notFound();
  return quorumError("read", q.loc, q.best?.have ?? 0, q.best?.need ?? q.need);
}
