/**
 * Typed client errors. Every failure the CLI reports is one of these kinds, so commands and
 * tests match on `kind` (never on message text) and the exit code follows from the kind.
 */
export type ClientErrorKind =
  | "usage" // bad arguments: exit 2
  | "alias" // unknown alias or bad alias URL
  | "access" // credentials refused
  | "no-bucket"
  | "no-key"
  | "s3" // any other S3 error response
  | "network" // connection failures after retries
  | "local" // local file system problems
  | "aborted"; // the user declined a confirmation

export class ClientError extends Error {
  readonly kind: ClientErrorKind;
  /** The S3 error code, when the server sent one. */
  readonly code?: string;
  readonly status?: number;

  constructor(kind: ClientErrorKind, message: string, extra: { code?: string; status?: number; cause?: unknown } = {}) {
    super(message, { cause: extra.cause });
    this.kind = kind;
    this.code = extra.code;
    this.status = extra.status;
  }

  get exitCode(): number {
    return this.kind === "usage" ? 2 : 1;
  }
}

export function isClientError(err: unknown, kind?: ClientErrorKind): err is ClientError {
  return err instanceof ClientError && (kind === undefined || err.kind === kind);
}
