/**
 * Listing documents written element by element into one string. fast-xml-parser's builder
 * (builder.ts) walks a value tree and cost ~7 ms per 1,000-key ListObjects page, the largest
 * single share of a listing served from the listing cache; writing the same bytes directly
 * costs ~1.5 ms. Values are escaped exactly as the builder escapes them, so the two agree.
 */
import { escapeXml, S3_XMLNS } from "./builder";

export type XmlScalar = string | number | boolean | undefined;

export class XmlWriter {
  private text: string;

  constructor(private readonly root: string) {
    this.text = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">`;
  }

  /** `<name>value</name>`; nothing for undefined (as the builder omits it). */
  leaf(name: string, value: XmlScalar): this {
    if (value !== undefined) this.text += `<${name}>${escapeXml(value)}</${name}>`;
    return this;
  }

  /** An element holding other elements, written by `body`. */
  element(name: string, body: (w: this) => void): this {
    this.text += `<${name}>`;
    body(this);
    this.text += `</${name}>`;
    return this;
  }

  /** The finished document. */
  end(): string {
    return `${this.text}</${this.root}>`;
  }
}
