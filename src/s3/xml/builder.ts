/**
 * The one XML builder for S3 responses. Values are escaped here (not by the library) so that
 * control characters in keys survive: a raw `\r` would be normalised to `\n` by every client's
 * XML parser, so it goes out as `&#13;`.
 */
import { XMLBuilder } from "fast-xml-parser";

export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

const NAMED: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

const SPECIAL = /[&<>"'\x00-\x08\x0b-\x1f]/;
const SPECIALS = /[&<>"'\x00-\x08\x0b-\x1f]/g;

/** Most values (keys, dates, sizes) hold nothing to escape: a test is cheaper than a replace. */
export function escapeXml(value: unknown): string {
  const s = String(value);
  return SPECIAL.test(s) ? s.replace(SPECIALS, (c) => NAMED[c] ?? `&#${c.charCodeAt(0)};`) : s;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  processEntities: false,
  suppressEmptyNode: false,
  tagValueProcessor: (_name, v) => escapeXml(v),
  attributeValueProcessor: (_name, v) => escapeXml(v),
});

/** A value tree: objects become elements, arrays repeat the element, undefined is omitted. */
export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [name: string]: XmlValue };

/** `<?xml …?><root xmlns="…">…</root>`; pass `xmlns: null` for shapes AWS sends without it. */
export function buildXml(root: string, value: Record<string, XmlValue> | string, xmlns: string | null = S3_XMLNS): string {
  const body = typeof value === "string" ? { "#text": value } : value;
  const withNs = xmlns === null ? body : { "@_xmlns": xmlns, ...body };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: withNs })}`;
}
