/**
 * Storage classes and the parity/quorum arithmetic of DESIGN.md §4. STANDARD uses the
 * deployment parity; REDUCED_REDUNDANCY uses the (smaller) RRS parity.
 */

export const STANDARD = "STANDARD";
export const REDUCED_REDUNDANCY = "REDUCED_REDUNDANCY";

export class StorageClassError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`${variable}: ${detail}`);
    this.name = "StorageClassError";
  }
}

/** Default parity by set size: 1:0, 2–3:1, 4–5:2, 6–7:3, 8–16:4. */
export function defaultParity(setSize: number): number {
  if (setSize <= 1) return 0;
  if (setSize <= 3) return 1;
  if (setSize <= 5) return 2;
  if (setSize <= 7) return 3;
  return 4;
}

/** RRS keeps one parity shard where the set can afford it, never more than STANDARD. */
export function defaultRrsParity(setSize: number, standard: number): number {
  return Math.min(setSize >= 2 ? 1 : 0, standard);
}

/** Write quorum: k, or k+1 when k == m (so two disjoint halves can never both win). */
export function writeQuorum(k: number, m: number): number {
  return k === m ? k + 1 : k;
}

function parseEc(variable: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const m = /^EC:(\d+)$/i.exec(value.trim());
  if (!m) throw new StorageClassError(variable, `expected EC:N, got "${value}"`);
  return Number(m[1]);
}

/** Parses `EC:N` from CAIRN_STORAGE_CLASS_STANDARD / _RRS (MINIO_ aliases accepted). */
export function storageClassParity(env: Record<string, string | undefined>): {
  parity?: number;
  rrsParity?: number;
} {
  const pick = (suffix: string): number | undefined => {
    const cairn = `CAIRN_STORAGE_CLASS_${suffix}`;
    const minio = `MINIO_STORAGE_CLASS_${suffix}`;
    return env[cairn] !== undefined ? parseEc(cairn, env[cairn]) : parseEc(minio, env[minio]);
  };
  const out: { parity?: number; rrsParity?: number } = {};
  const parity = pick("STANDARD");
  const rrsParity = pick("RRS");
  if (parity !== undefined) out.parity = parity;
  if (rrsParity !== undefined) out.rrsParity = rrsParity;
  return out;
}

/** Checks parity choices against a set size; throws StorageClassError naming the problem. */
export function validateParity(setSize: number, parity: number, rrsParity: number): void {
  const max = Math.floor(setSize / 2);
  if (parity < 0 || parity > max) {
    throw new StorageClassError("STANDARD", `parity ${parity} not in 0..${max} for sets of ${setSize} drives`);
  }
  if (rrsParity < 0 || rrsParity > parity) {
    throw new StorageClassError("RRS", `parity ${rrsParity} not in 0..${parity} (STANDARD parity)`);
  }
}
