/**
 * Node errno → DriveError. Every error leaving a LocalDrive goes through here, so callers
 * match on `DriveError.kind` and never see a raw Node error.
 */
import { DriveError, type DriveErrorKind } from "./drive";

export function errnoOf(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return errnoOf(err) === "ENOENT";
}

export interface ErrorContext {
  /** What ENOENT means for this call. */
  missing?: "FileNotFound" | "VolumeNotFound";
  /** What EEXIST / ENOTEMPTY mean for this call. */
  exists?: "VolumeExists" | "VolumeNotEmpty";
}

function kindOf(code: string | undefined, ctx: ErrorContext): DriveErrorKind {
  switch (code) {
    case "ENOENT":
      return ctx.missing ?? "FileNotFound";
    case "EEXIST":
    case "ENOTEMPTY":
      return ctx.exists ?? "Faulty";
    case "ENOSPC":
    case "EDQUOT":
      return "DiskFull";
    case "ENAMETOOLONG":
    case "ELOOP":
      return "InvalidPath";
    default:
      // EIO, EACCES, EPERM, EROFS, ENOTDIR, EISDIR, EMFILE, … : the disk or its tree is unwell.
      return "Faulty";
  }
}

export function toDriveError(err: unknown, drive: string, ctx: ErrorContext = {}): DriveError {
  if (err instanceof DriveError) return err;
  const code = errnoOf(err);
  const detail = code ?? (err instanceof Error ? err.message : String(err));
  return new DriveError(kindOf(code, ctx), drive, detail, { cause: err });
}

/** Faults that count towards taking the drive offline (not "absent", not "full"). */
export function isFault(err: DriveError): boolean {
  return err.kind === "Faulty";
}
