/**
 * The parts the composition root wires together: the erasure ObjectLayer and the S3 front.
 * Kept behind one small interface so start-up reads as a sequence of steps.
 */
import type { ObjectLayer } from "../object";
import type { IncomingRequest } from "../lib/index";
import type { S3Handler } from "./app";
import type { Env } from "./config";

export interface LayerOptions {
  drives: string[];
  parity?: number;
  rrsParity?: number;
  /** Files shared with the other processes serving the drives (cluster.ts). */
  shared?: { generationsFile: string; lockFile: string; syncRelay: { socket: string; leader: boolean } };
  /** Empty the drives' scratch areas: all of them (default), this process's share ("own"), or not. */
  cleanupTmp?: "all" | "own" | false;
  /** This process's share of the drives' scratch area (erasure's tmpOwner). */
  tmpOwner?: string;
}

export interface S3Deps {
  layer: ObjectLayer;
  lookupSecret: (accessKey: string) => Promise<string | null>;
  region: string;
  domains?: string[];
}

export interface Backend {
  expandDrives(arg: string): string[];
  storageClassParity(env: Env): { parity?: number; rrsParity?: number };
  openLayer(opts: LayerOptions): Promise<ObjectLayer>;
  createS3Handler(deps: S3Deps): S3Handler;
  /** Names requests by S3 operation (`PutObject`, …) for metrics; `Invalid` when unroutable. */
  apiNamer(domains: string[]): (req: IncomingRequest, url: URL) => string;
}

/** The real erasure layer and S3 front. Loaded lazily so `cairn --help` stays fast. */
export async function defaultBackend(): Promise<Backend> {
  const [erasure, s3] = await Promise.all([import("../erasure/index.ts"), import("../s3/index.ts")]);
  return {
    expandDrives: (arg) => erasure.expandEllipsis(arg),
    storageClassParity: (env) => erasure.storageClassParity(env),
    openLayer: ({ shared, ...opts }) => erasure.openErasureLayer({ ...opts, ...shared }),
    createS3Handler: (deps) => s3.createS3Handler(deps),
    apiNamer: (domains) => (req, url) => {
      try {
        const endpoint = s3.parseEndpoint(req.method, url, req.headers, { domains });
        return endpoint.op === "NotImplemented" ? endpoint.name : endpoint.op;
      } catch {
        return "Invalid";
      }
    },
  };
}
