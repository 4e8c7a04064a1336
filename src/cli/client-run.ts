/**
 * Shared plumbing for the client commands: flag parsing, `--help`, the transfer flags, and the
 * exit codes scripts rely on (0 ok, 1 operation failed, 2 usage error) with one-line errors.
 */
import { ClientError, DEFAULT_TRANSFER, Progress, parseAttrs, parseSize, progressMode, type TransferOptions } from "../client";
import { UsageError } from "./args";
import type { Command } from "./command";

export interface ClientCommandSpec {
  name: string;
  summary: string;
  /** Shown for --help and after a usage error. */
  usage: string;
  run(args: string[]): Promise<number | void> | number | void;
}

export function clientCommand(spec: ClientCommandSpec): Command {
  return {
    summary: spec.summary,
    async run(args) {
      if (args.includes("--help") || args.includes("-h")) {
        process.stdout.write(`Usage: ${spec.usage}\n\n${spec.summary}\n`);
        return 0;
      }
      try {
        return (await spec.run(args)) ?? 0;
      } catch (err) {
        return report(spec, err);
      }
    },
  };
}

function report(spec: ClientCommandSpec, err: unknown): number {
  if (err instanceof UsageError || (err instanceof ClientError && err.kind === "usage")) {
    process.stderr.write(`cairn ${spec.name}: ${err.message}\nUsage: ${spec.usage}\n`);
    return 2;
  }
  if (err instanceof ClientError) {
    process.stderr.write(`cairn ${spec.name}: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown })?.code;
  process.stderr.write(`cairn ${spec.name}: ${typeof code === "string" ? `${code}: ` : ""}${message}\n`);
  return 1;
}

/** Flags every transfer command takes (cp, mirror). */
export const TRANSFER_FLAGS = {
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
  attr: { type: "string" },
  continue: { type: "boolean", short: "c" },
  "part-size": { type: "string" },
  "multipart-threshold": { type: "string" },
  parallel: { type: "string" },
  "download-parallel": { type: "string" },
} as const;

export function positiveInt(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

const MIN_PART = 5 * 1024 * 1024;

export function transferOptions(v: {
  quiet?: boolean;
  json?: boolean;
  attr?: string;
  continue?: boolean;
  "part-size"?: string;
  "multipart-threshold"?: string;
  parallel?: string;
  "download-parallel"?: string;
}): { transfer: Omit<TransferOptions, "progress">; progress: Progress } {
  const partSize = v["part-size"] ? parseSize(v["part-size"]) : DEFAULT_TRANSFER.partSize;
  if (partSize < MIN_PART) throw new UsageError("--part-size must be at least 5MiB (S3's minimum part size)");
  const threshold = v["multipart-threshold"] ? parseSize(v["multipart-threshold"]) : DEFAULT_TRANSFER.threshold;
  return {
    transfer: {
      threshold,
      partSize,
      parallel: positiveInt(v.parallel, "parallel", DEFAULT_TRANSFER.parallel),
      downloadParallel: positiveInt(v["download-parallel"], "download-parallel", DEFAULT_TRANSFER.downloadParallel),
      resume: v.continue ?? false,
      headers: parseAttrs(v.attr),
    },
    progress: new Progress(progressMode(v)),
  };
}
