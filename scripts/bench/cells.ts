/**
 * The benchmark matrix. A cell is `op:size:concurrency` (LIST uses `flat`/`nested` for size),
 * e.g. `put:4k:32`, `get:64m:4`, `list:flat:8`, `dget:1m:32` (GET with one drive removed).
 * `--cells` takes comma-separated globs over these ids; a pattern with fewer parts matches
 * any value for the missing ones (`put` = `put:*:*`).
 */
import type { Op } from "./types";
import { parseSize, sizeLabel } from "./sizes";

export interface Cell {
  id: string;
  op: Op;
  /** Object size in bytes (0 for LIST). */
  size: number;
  concurrency: number;
  /** LIST only: the shape of the 100k-key namespace walked. */
  list?: "flat" | "nested";
}

const SIZES = ["4k", "64k", "1m", "64m", "256m"];
const CONCS = [1, 4, 8, 32, 128];
/** Bytes in flight per cell are capped so that a glob like `put` cannot ask for 32 GiB. */
const MAX_IN_FLIGHT = 2 * 1024 ** 3;

export function cell(id: string): Cell {
  const [op, size, conc] = id.split(":") as [Op, string, string];
  const concurrency = Number(conc);
  if (op === "list") return { id, op, size: 0, concurrency, list: size === "nested" ? "nested" : "flat" };
  return { id, op, size: parseSize(size), concurrency };
}

/** Every cell the bench knows how to run. */
export function fullMatrix(): Cell[] {
  const ids: string[] = [];
  for (const op of ["put", "get", "getr", "head", "delete", "dget", "mpu"] as const) {
    for (const s of SIZES) {
      if (op === "mpu" && parseSize(s) < 64 << 20) continue;
      for (const c of CONCS) if (parseSize(s) * c <= MAX_IN_FLIGHT) ids.push(`${op}:${s}:${c}`);
    }
  }
  for (const shape of ["flat", "nested"]) for (const c of [1, 8, 32]) ids.push(`list:${shape}:${c}`);
  return ids.map(cell);
}

/** The default matrix per target kind: the full story on 4 drives, the headline cells elsewhere. */
export function defaultIds(kind: "cairn-main" | "cairn-other" | "peer" | "external"): string[] {
  const headline = ["put:4k:32", "get:4k:32", "head:4k:32", "put:1m:32", "get:1m:32", "put:64m:4", "get:64m:4"];
  switch (kind) {
    case "cairn-main":
      return [
        ...["4k:1", "4k:8", "4k:32", "4k:128", "64k:1", "64k:32", "1m:1", "1m:8", "1m:32", "64m:1", "64m:4", "256m:8"].flatMap(
          (sc) => [`put:${sc}`, `get:${sc}`],
        ),
        "getr:1m:32",
        "getr:64m:4",
        "head:4k:1",
        "head:4k:32",
        "head:4k:128",
        "delete:4k:32",
        "dget:1m:32",
        "mpu:64m:4",
        "mpu:256m:1",
        "list:flat:1",
        "list:flat:8",
        "list:nested:8",
      ];
    case "cairn-other":
      return [...headline, "dget:1m:32"];
    case "peer":
      return ["put:4k:1", "put:4k:32", "get:4k:1", "get:4k:32", "get:64k:32", "head:4k:32", "put:1m:32", "get:1m:32", "list:flat:1"];
    case "external":
      return [...headline, "list:flat:1"];
  }
}

function globToRegExp(glob: string): RegExp {
  const parts = glob.trim().split(":");
  while (parts.length < 3) parts.push("*");
  const src = parts.join(":").replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^:]*");
  return new RegExp(`^${src}$`);
}

/** Cells of `all` matching any of the comma-separated globs, in `all`'s order. */
export function selectCells(all: Cell[], globs: string): Cell[] {
  const res = globs.split(",").filter((g) => g.trim() !== "").map(globToRegExp);
  return all.filter((c) => res.some((r) => r.test(c.id)));
}

/** Run order: by size, PUT before the reads of that size, DELETE and cleanup last, LIST at the end. */
export function orderCells(cells: Cell[]): Cell[] {
  const rank: Record<Op, number> = { put: 0, mpu: 1, get: 2, getr: 3, head: 4, dget: 5, delete: 6, list: 7 };
  return [...cells].sort((a, b) => {
    if ((a.op === "list") !== (b.op === "list")) return a.op === "list" ? 1 : -1;
    return a.size - b.size || rank[a.op] - rank[b.op] || a.concurrency - b.concurrency || a.id.localeCompare(b.id);
  });
}

export { sizeLabel };
