/**
 * What a handler receives and what it returns. Handlers never build a Response: they return
 * data and the one serializer (response.ts) writes it.
 */
import type { Checksums, ObjectLayer } from "../object/index";
import type { RequestQuery } from "../lib/index";
import type { Endpoint, EndpointOp } from "./router";
import type { XmlValue } from "./xml/index";

export interface S3Deps {
  layer: ObjectLayer;
  lookupSecret: (accessKey: string) => Promise<string | null>;
  region: string;
  /** Virtual-host style base domains (`bucket.<domain>`). */
  domains?: string[];
}

/**
 * The part of auth's VerifiedRequest handlers use. The dispatcher verifies once and hands
 * this over; the body is already decoded (aws-chunked) and verifies itself as it streams.
 */
export interface Verified {
  accessKey: string | null;
  body: ReadableStream<Uint8Array> | null;
  /** Decoded body length, -1 when unknown (chunked without a declared length). */
  contentLength: number;
  /** Checksums computed over the body; complete once the body has been read. */
  checksums(): Checksums;
}

export interface S3Context<E extends Endpoint = Endpoint> {
  endpoint: E;
  method: string;
  url: URL;
  /** `url`'s query, parsed once for the router, the verifier and the handler. */
  query: RequestQuery;
  headers: Headers;
  auth: Verified;
  deps: S3Deps;
  requestId: string;
  /** The client's address, for handlers that authorize from the body (PostObject's anonymous forms). */
  remoteAddress?: string;
}

export type ResultBody =
  | { kind: "xml"; root: string; value: Record<string, XmlValue> | string; xmlns?: string | null }
  | { kind: "stream"; stream: ReadableStream<Uint8Array> }
  /** A whole XML document already written (listings: xml/writer.ts). */
  | { kind: "xmlText"; text: string }
  /** Bytes already in memory (small objects): sent as they are. */
  | { kind: "bytes"; bytes: Uint8Array };

export interface HandlerResult {
  status?: number;
  headers?: Record<string, string>;
  body?: ResultBody;
}

export type Handler<E extends Endpoint> = (ctx: S3Context<E>) => Promise<HandlerResult>;

/** One handler per operation; a missing operation fails the type check. */
export type HandlerTable = { [K in EndpointOp]: Handler<Extract<Endpoint, { op: K }>> };

/** A 200 answer carrying a document XmlWriter wrote. */
export function xmlText(text: string): HandlerResult {
  return { body: { kind: "xmlText", text } };
}

export function xml(
  root: string,
  value: Record<string, XmlValue> | string,
  init: { status?: number; headers?: Record<string, string>; xmlns?: string | null } = {},
): HandlerResult {
  return { status: init.status, headers: init.headers, body: { kind: "xml", root, value, xmlns: init.xmlns } };
}
