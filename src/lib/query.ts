/**
 * A request's query string, parsed once in JS. Bun's URLSearchParams parses in native code on
 * first use and crosses back into it on every has/get/iteration; a small GET asks the router,
 * the verifier and the handler a dozen questions about its query, so the S3 front parses it
 * once and hands the result along.
 */

export interface QueryParam {
  key: string;
  value: string;
}

/** Decodes %XX sequences; a malformed sequence leaves the text as sent. */
export function percentDecode(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function decodeComponent(raw: string): string {
  return percentDecode(raw.includes("+") ? raw.replace(/\+/g, " ") : raw);
}

/** Parses a raw query string (with or without '?') into decoded pairs; '+' means space, as in forms. */
export function parseQuery(rawQuery: string): QueryParam[] {
  const out: QueryParam[] = [];
  const q = rawQuery.startsWith("?") ? rawQuery.slice(1) : rawQuery;
  if (q === "") return out;
  for (const part of q.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) out.push({ key: decodeComponent(part), value: "" });
    else out.push({ key: decodeComponent(part.slice(0, eq)), value: decodeComponent(part.slice(eq + 1)) });
  }
  return out;
}

/** Up to this many pairs, questions scan the pairs; longer queries get a name index. */
const SCAN_MAX = 12;

/** The URLSearchParams questions the server asks, over one JS parse. */
export class RequestQuery {
  /** Every pair, decoded, in request order. */
  readonly params: readonly QueryParam[];
  /**
   * First value per name, in order of first appearance (URLSearchParams.get's answer), built
   * on first use for long queries only: a request's query is usually a handful of pairs, where
   * a scan answers faster than building the index costs.
   */
  private index: Map<string, string> | null = null;

  constructor(search: string) {
    this.params = parseQuery(search);
  }

  private firsts(): Map<string, string> {
    if (this.index === null) {
      this.index = new Map();
      for (const p of this.params) if (!this.index.has(p.key)) this.index.set(p.key, p.value);
    }
    return this.index;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  get(name: string): string | null {
    if (this.params.length > SCAN_MAX) return this.firsts().get(name) ?? null;
    for (const p of this.params) if (p.key === name) return p.value;
    return null;
  }
}
