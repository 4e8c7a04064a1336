/** Shared fixtures for the auth tests: the AWS documentation credentials and stream helpers. */
import type { SecretLookup } from "../types";

export const AKID = "AKIAIOSFODNN7EXAMPLE";
export const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
export const DOC_NOW = new Date("2013-05-24T00:00:00Z");
export const CREDS = { accessKeyId: AKID, secretAccessKey: SECRET };

export const lookup: SecretLookup = async (ak) => (ak === AKID ? SECRET : null);

export function streamOf(...pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]!);
      else controller.close();
    },
  });
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Reads a stream to the end; returns the bytes, or the error it failed with. */
export async function drain(stream: ReadableStream<Uint8Array> | null): Promise<{ data: Uint8Array; error: unknown }> {
  const parts: Uint8Array[] = [];
  if (stream === null) return { data: new Uint8Array(0), error: undefined };
  try {
    for await (const p of stream) parts.push(p);
    return { data: concat(parts), error: undefined };
  } catch (error) {
    return { data: concat(parts), error };
  }
}

export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return concat(await Array.fromAsync(stream));
}

/** Splits `data` into pieces of the given sizes (the last piece takes the rest). */
export function splitAt(data: Uint8Array, ...cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(data.subarray(prev, c));
    prev = c;
  }
  out.push(data.subarray(prev));
  return out;
}
