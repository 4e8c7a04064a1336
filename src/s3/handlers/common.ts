/** Small pieces several handler groups share. */
import type { ObjectInfo, ObjectLayer, VersioningState } from "../../object/index";
import type { XmlValue } from "../xml/index";

/** Single-tenant: every bucket belongs to the one canonical owner. */
export const OWNER = {
  ID: "02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4",
  DisplayName: "cairn",
} as const;

export const VERSIONING_CONFIG = "versioning";
export const TAGGING_CONFIG = "tagging";
/** The bucket policy JSON as the client sent it. */
export const POLICY_CONFIG = "policy";
/** The bucket's canned ACL name; absent means private. */
export const ACL_CONFIG = "acl";
/** System metadata entry holding an object's canned ACL; absent means private. */
export const ACL_META = "acl";

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** The bucket's versioning state, stored as the blob "versioning" ("enabled" | "suspended"). */
export async function versioningOf(layer: ObjectLayer, bucket: string): Promise<VersioningState> {
  const blob = await layer.getBucketConfig(bucket, VERSIONING_CONFIG);
  const s = blob ? text.decode(blob) : "";
  return s === "enabled" || s === "suspended" ? s : "unversioned";
}

export async function setVersioning(layer: ObjectLayer, bucket: string, state: "enabled" | "suspended"): Promise<void> {
  await layer.setBucketConfig(bucket, VERSIONING_CONFIG, utf8.encode(state));
}

export function encodeText(s: string): Uint8Array {
  return utf8.encode(s);
}

export function decodeText(b: Uint8Array): string {
  return text.decode(b);
}

/** `x-amz-version-id` is sent only for real versions; the "null" version of a never-versioned bucket has none. */
export function versionHeader(versionId: string | null | undefined): Record<string, string> {
  return versionId ? { "x-amz-version-id": versionId } : {};
}

export function isoDate(d: Date): string {
  return d.toISOString();
}

/** The last date formatted: a hot object's GETs and HEADs ask for the same Last-Modified. */
let lastHttpDate = { time: Number.NaN, text: "" };

export function httpDate(d: Date): string {
  const time = d.getTime();
  if (time !== lastHttpDate.time) lastHttpDate = { time, text: d.toUTCString() };
  return lastHttpDate.text;
}

/** Storage class as listings show it (AWS omits nothing here, unlike GET headers). */
export function listStorageClass(info: ObjectInfo): string {
  return info.storageClass || "STANDARD";
}

/** Encodes names for `encoding-type=url` responses; "/" stays readable as AWS leaves it. */
export function urlEncoder(q: { get(name: string): string | null }): (s: string) => string {
  if (q.get("encoding-type") !== "url") return (s) => s;
  return (s) => encodeURIComponent(s).replace(/%2F/g, "/");
}

export type Xml = Record<string, XmlValue>;
