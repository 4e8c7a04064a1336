/** For the config parsers' tests: the BucketConfigError code a call throws, or "accepted". */
import { BucketConfigError } from "./errors";

export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof BucketConfigError) return e.code;
    throw e;
  }
  return "accepted";
}
