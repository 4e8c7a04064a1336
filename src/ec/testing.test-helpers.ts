/** Helpers shared by the ec tests (not part of the public surface). */

/** Every subset of {0..n-1} with exactly r members, in lexicographic order. */
export function* subsets(n: number, r: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === r) {
    yield acc.slice();
    return;
  }
  for (let i = start; i <= n - (r - acc.length); i++) {
    acc.push(i);
    yield* subsets(n, r, i + 1, acc);
    acc.pop();
  }
}

/** Deterministic pseudo-random bytes (xorshift), so a failure reproduces. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function without<T>(items: T[], missing: number[]): (T | null)[] {
  return items.map((item, i) => (missing.includes(i) ? null : item));
}
