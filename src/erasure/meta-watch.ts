/**
 * Tells the meta cache about every write through a drive, so a cached xl.meta never outlives a
 * change this process made. Wraps a Drive without changing what it does: the mutating calls
 * below forget the key's entry once they settle (succeeded or not, the file may have changed),
 * everything else is the drive's own method.
 *
 * The freshness window is correct only when all writes to the drives pass through here: drives
 * another process writes to (a remote drive, later) must run with freshMs 0.
 */
import type { Drive } from "../storage/index";
import { metaFileId, type MetaDecodeCache } from "./meta-cache";

/** The Drive calls that change `<volume>/<key>/` (all take volume, key first). */
const KEY_WRITES = new Set<PropertyKey>([
  "writeMeta",
  "commit",
  "createMeta",
  "restoreStaged",
  "deleteDataDir",
  "deleteObject",
] satisfies (keyof Drive)[]);

/** The Drive calls that change a whole volume (volume first). */
const VOLUME_WRITES = new Set<PropertyKey>(["deleteVolume", "makeVolume"] satisfies (keyof Drive)[]);

type Method = (...args: unknown[]) => unknown;

export function watchMetaWrites(drive: Drive, cache: MetaDecodeCache): Drive {
  // Bound once per method, and again if the drive's method is replaced (tests count calls so).
  const methods = new Map<PropertyKey, { of: Method; method: Method }>();
  const forget = (prop: PropertyKey, args: unknown[]): void => {
    const volume = args[0] as string;
    if (KEY_WRITES.has(prop)) cache.forget(metaFileId(drive.endpoint, volume, args[1] as string));
    else cache.forgetPrefix(metaFileId(drive.endpoint, volume, ""));
  };
  return new Proxy(drive, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const known = methods.get(prop);
      if (known?.of === value) return known.method;
      const own = (value as Method).bind(target);
      const method: Method =
        KEY_WRITES.has(prop) || VOLUME_WRITES.has(prop)
          ? async (...args) => {
              try {
                return await own(...args);
              } finally {
                forget(prop, args);
              }
            }
          : own;
      methods.set(prop, { of: value as Method, method });
      return method;
    },
  });
}
