/** Which keys and key ranges a walk wants: those under its prefix and after its marker. */
import { compareKeys } from "../lib/index";
import type { DirItem } from "./dir-listing";

export class Filter {
  /** The walk's lower bound: keys ≥ prefix and > marker all sort at or after it. */
  readonly lo: string;

  constructor(
    private readonly prefix: string,
    private readonly marker: string | undefined,
  ) {
    this.lo = marker !== undefined && compareKeys(marker, prefix) > 0 ? marker : prefix;
  }

  wantsKey(key: string): boolean {
    return key.startsWith(this.prefix) && (this.marker === undefined || compareKeys(key, this.marker) > 0);
  }

  /** Could any key strictly longer than `p` and starting with it be wanted? */
  wantsRange(p: string): boolean {
    if (!p.startsWith(this.prefix) && !this.prefix.startsWith(p)) return false;
    const m = this.marker;
    return m === undefined || m.startsWith(p) || compareKeys(p, m) > 0;
  }

  /** Bounds only grow, so once one is past the prefix nothing later can match. */
  pastPrefix(bound: string): boolean {
    return compareKeys(bound, this.prefix) > 0 && !bound.startsWith(this.prefix);
  }

  wantsEntry(e: DirItem, bound: string): boolean {
    if (e.kind === "continuation") return this.wantsRange(bound);
    return this.wantsKey(bound) || this.wantsRange(bound + "/");
  }
}
