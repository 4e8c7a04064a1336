/**
 * Readers for untrusted decoded msgpack values. Each one either returns a value of the promised
 * type or throws FileCorrupt, so a hostile xl.meta (one whose checksums were recomputed) can
 * never hand the erasure layer a field of the wrong type or range.
 */

import { XlMetaError } from "./types";

export type Wire = Record<string, unknown>;

export function corrupt(detail: string): XlMetaError {
  return new XlMetaError("FileCorrupt", detail);
}

export function record(value: unknown, what: string): Wire {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw corrupt(`${what}: expected a map`);
  }
  if (value instanceof Uint8Array || value instanceof Map) throw corrupt(`${what}: expected a map`);
  return value as Wire;
}

export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw corrupt(`${what}: expected an array`);
  return value;
}

export function string(value: unknown, what: string): string {
  if (typeof value !== "string") throw corrupt(`${what}: expected a string`);
  return value;
}

export function stringOrNull(value: unknown, what: string): string | null {
  return value === null ? null : string(value, what);
}

export function boolean(value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw corrupt(`${what}: expected a boolean`);
  return value;
}

export interface IntRange {
  min: number;
  max: number;
}

export function integer(value: unknown, what: string, range: IntRange): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw corrupt(`${what}: expected an integer`);
  }
  if (value < range.min || value > range.max) throw corrupt(`${what}: ${value} out of range`);
  return value;
}

export const NON_NEGATIVE: IntRange = { min: 0, max: Number.MAX_SAFE_INTEGER };

const INT64_LIMIT = 1n << 63n;

export function modTime(value: unknown, what: string): bigint {
  if (typeof value !== "bigint") throw corrupt(`${what}: expected a 64-bit integer`);
  if (value < 0n || value >= INT64_LIMIT) throw corrupt(`${what}: out of range`);
  return value;
}

/**
 * String maps travel as flat [k, v, k, v, …] arrays: msgpackr renames a map key "__proto__",
 * and Object.fromEntries defines own properties, so every key (user metadata included)
 * round-trips exactly and none can touch a prototype.
 */
export function stringMap(value: unknown, what: string): Record<string, string> {
  const flat = array(value, what);
  if (flat.length === 0) return {};
  if (flat.length % 2 !== 0) throw corrupt(`${what}: odd pair list`);
  const entries: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    entries.push([string(flat[i], what), string(flat[i + 1], what)]);
  }
  const out = Object.fromEntries(entries);
  if (Object.keys(out).length !== entries.length) throw corrupt(`${what}: duplicate key`);
  return out;
}

export function flattenMap(map: Record<string, string>): string[] {
  const flat: string[] = [];
  for (const [k, v] of Object.entries(map)) flat.push(k, v);
  return flat;
}
