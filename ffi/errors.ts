/**
 * Typed errors for the erasure-code bindings. `kind` names the liberasurecode error code (or our
 * own check that stopped a call before it reached C); callers match on `kind`, never on text.
 */

/** liberasurecode's LIBERASURECODE_ERROR_CODES, returned negated by its API. */
const LIBERASURECODE_CODES = {
  200: "EBACKENDNOTSUPP",
  201: "EECMETHODNOTIMPL",
  202: "EBACKENDINITERR",
  203: "EBACKENDINUSE",
  204: "EBACKENDNOTAVAIL",
  205: "EBADCHKSUM",
  206: "EINVALIDPARAMS",
  207: "EBADHEADER",
  208: "EINSUFFFRAGS",
} as const;

/** Plain errno values liberasurecode also returns (negated). */
const ERRNO_CODES = { 12: "ENOMEM", 22: "EINVAL", 16: "EBUSY" } as const;

export type EcErrorKind =
  | (typeof LIBERASURECODE_CODES)[keyof typeof LIBERASURECODE_CODES]
  | (typeof ERRNO_CODES)[keyof typeof ERRNO_CODES]
  | "EUNKNOWN" // a negative code we do not recognise
  | "ELIBRARYMISSING" // liberasurecode (or a backend) could not be loaded
  | "ECLOSED"; // the codec was used after close()

export class EcError extends Error {
  readonly kind: EcErrorKind;
  /** The raw (positive) liberasurecode/errno code, or 0 when the error did not come from C. */
  readonly code: number;
  constructor(kind: EcErrorKind, detail: string, options?: { code?: number; cause?: unknown }) {
    super(`${kind}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EcError";
    this.kind = kind;
    this.code = options?.code ?? 0;
  }
}

export function isEcError(e: unknown, kind?: EcErrorKind): e is EcError {
  return e instanceof EcError && (kind === undefined || e.kind === kind);
}

/** Maps a negative return of liberasurecode `fn` to a typed error; non-negative returns pass through. */
export function check(ret: number, fn: string): number {
  if (ret >= 0) return ret;
  const code = -ret;
  const kind: EcErrorKind =
    (LIBERASURECODE_CODES as Record<number, EcErrorKind>)[code] ??
    (ERRNO_CODES as Record<number, EcErrorKind>)[code] ??
    "EUNKNOWN";
  return fail(kind, `${fn} returned ${ret}`, code);
}

function fail(kind: EcErrorKind, detail: string, code: number): never {
  throw new EcError(kind, detail, { code });
}
