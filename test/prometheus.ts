/**
 * A strict reader of the Prometheus text format (0.0.4) for tests: every line must be a HELP or
 * TYPE comment or a `name{labels} value` sample of a declared family, or parsing throws.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  /** Family name → declared type. */
  types: Map<string, string>;
  /** Samples of `name` whose labels include every given label. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the one sample that matches, or undefined when none does. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(${LABEL}(?:,${LABEL})*)?\\})? (\\S+)$`);
const COMMENT = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`);
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of (text ?? "").matchAll(new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`, "g"))) {
    if (m[1]! in labels) throw new Error(`label ${m[1]} given twice in {${text}}`);
    labels[m[1]!] = m[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}

/** The family a sample belongs to: histogram series carry a suffix. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return types.get(base) === "histogram" ? base : undefined;
}

export function parsePrometheus(text: string): Scrape {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.slice(0, -1).split("\n")) {
    const comment = COMMENT.exec(line);
    if (comment) {
      if (comment[1] === "TYPE") {
        if (!TYPES.has(comment[3]!)) throw new Error(`unknown type in: ${line}`);
        if (types.has(comment[2]!)) throw new Error(`family declared twice: ${line}`);
        types.set(comment[2]!, comment[3]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m || !NUMBER.test(m[3]!)) throw new Error(`not a Prometheus text line: ${JSON.stringify(line)}`);
    if (!familyOf(m[1]!, types)) throw new Error(`sample before its # TYPE: ${line}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2]), value: Number(m[3]!.replace(/Inf$/, "Infinity")) });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = find(name, labels);
    if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
    return found[0]?.value;
  };
  return { samples, types, find, value };
}

/**
 * Checks one histogram series (e.g. one API's): bucket bounds ascending and ending in +Inf,
 * counts cumulative, +Inf equal to _count. Returns the count and sum.
 */
export function checkHistogram(scrape: Scrape, name: string, labels: Record<string, string>): { count: number; sum: number } {
  const buckets = scrape.find(`${name}_bucket`, labels);
  if (buckets.length === 0) throw new Error(`no ${name}_bucket for ${JSON.stringify(labels)}`);
  const bounds = buckets.map((b) => Number((b.labels.le ?? "").replace(/Inf$/, "Infinity")));
  for (let i = 1; i < buckets.length; i++) {
    if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`${name}: le not ascending at ${buckets[i]!.labels.le}`);
    if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${name}: bucket counts not cumulative at le=${buckets[i]!.labels.le}`);
  }
  if (bounds.at(-1) !== Infinity) throw new Error(`${name}: the last bucket is not +Inf`);
  const count = scrape.value(`${name}_count`, labels);
  const sum = scrape.value(`${name}_sum`, labels);
  if (count === undefined || sum === undefined) throw new Error(`${name}: _count or _sum missing`);
  if (buckets.at(-1)!.value !== count) throw new Error(`${name}: +Inf bucket ${buckets.at(-1)!.value} != _count ${count}`);
  return { count, sum };
}
