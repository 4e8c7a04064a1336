/**
 * Ellipsis expansion of drive arguments, as MinIO accepts them: `/data{1...16}`,
 * `/mnt/disk{01...08}` (zero padding kept), `{a...d}`, and several ellipses in one argument
 * (`http://node{1...4}:9000/d{1...4}`), expanded left to right so the first ellipsis varies
 * slowest — the order drives are then grouped into sets.
 */

const ELLIPSIS = /\{([0-9a-zA-Z]+)\.\.\.([0-9a-zA-Z]+)\}/;

export class EllipsisError extends Error {
  constructor(readonly arg: string, detail: string) {
    super(`invalid ellipsis in "${arg}": ${detail}`);
    this.name = "EllipsisError";
  }
}

function expandRange(arg: string, from: string, to: string): string[] {
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const a = Number(from);
    const b = Number(to);
    if (b < a) throw new EllipsisError(arg, `range ${from}...${to} is descending`);
    // A leading zero on either end asks for fixed-width numbers (disk01 … disk16).
    const width = from.startsWith("0") || to.startsWith("0") ? Math.max(from.length, to.length) : 0;
    const out: string[] = [];
    for (let i = a; i <= b; i++) out.push(String(i).padStart(width, "0"));
    return out;
  }
  if (/^[a-z]$/.test(from) && /^[a-z]$/.test(to)) {
    const a = from.charCodeAt(0);
    const b = to.charCodeAt(0);
    if (b < a) throw new EllipsisError(arg, `range ${from}...${to} is descending`);
    const out: string[] = [];
    for (let c = a; c <= b; c++) out.push(String.fromCharCode(c));
    return out;
  }
  throw new EllipsisError(arg, `cannot expand ${from}...${to}`);
}

/** Expands every `{a...b}` in `arg`; an argument without ellipsis expands to itself. */
export function expandEllipsis(arg: string): string[] {
  const m = ELLIPSIS.exec(arg);
  if (!m) {
    if (arg.includes("...")) throw new EllipsisError(arg, "unbalanced or malformed braces");
    return [arg];
  }
  const head = arg.slice(0, m.index);
  const tail = arg.slice(m.index + m[0].length);
  const tails = expandEllipsis(tail);
  const out: string[] = [];
  for (const v of expandRange(arg, m[1]!, m[2]!)) {
    for (const t of tails) out.push(head + v + t);
  }
  return out;
}
