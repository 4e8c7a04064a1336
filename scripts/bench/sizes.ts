/** Size labels used in cell names and key paths: 4k, 64k, 1m, 64m, 256m. */

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export function parseSize(label: string): number {
  const m = /^(\d+)([bkmg]?)$/i.exec(label.trim());
  if (!m) throw new Error(`not a size: '${label}' (use e.g. 4k, 64k, 1m, 64m, 256m)`);
  return Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
}

export function sizeLabel(bytes: number): string {
  for (const [u, f] of [["g", 1024 ** 3], ["m", 1024 ** 2], ["k", 1024]] as const) {
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${u}`;
  }
  return String(bytes);
}

/** The size label embedded in a key path (`…/64k/…`), so the HTTP ceiling server knows what to send. */
export function sizeFromPath(path: string): number | undefined {
  const m = /\/(\d+[kmg])(?:\/|$)/.exec(path);
  return m ? parseSize(m[1]!) : undefined;
}
