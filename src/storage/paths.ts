/**
 * Key → path mapping of a local drive.
 *
 * A key is split at '/' into segments; each segment becomes one directory level, so
 * `a/b/c` lives in `<vol>/a/b/c/` and listing by prefix is a directory walk. The object's
 * files sit inside its own directory, beside the directories of longer keys:
 *
 *   <vol>/a/~xl.meta              the object `a`
 *   <vol>/a/~d.<dataDir>/part.1   its data
 *   <vol>/a/b/~xl.meta            the object `a/b` (a key and its prefix can both be objects)
 *   <vol>/photos/~/~xl.meta       the object `photos/` (the empty last segment is named `~`)
 *
 * Names are escaped so that user segments and internal names can never collide:
 *  - `%` becomes `%25` everywhere; a leading `.` becomes `%2E` (so `.`, `..` and `.cairn.sys`
 *    cannot be produced); a leading or trailing `~` becomes `%7E`.
 *  - Hence every internal name starts with `~` (`~xl.meta`, `~d.<dataDir>`, `~`), and a user
 *    name never starts with `.` or `~` and never ends with `~`.
 *  - A segment whose escaped form would exceed MAX_PIECE_BYTES (keys are up to 1024 bytes with
 *    no '/', NAME_MAX is 255) is cut greedily at code point boundaries into pieces, each escaped
 *    on its own; every piece but the last gets the continuation suffix `~`, and each piece is a
 *    directory inside the previous one: `<vol>/aaaa…~/aaaa…~/aaa/~xl.meta`.
 * The mapping is a bijection on valid keys; `decodeEntry` inverts one name and the walk
 * re-encodes every key it yields and drops any whose path is not the canonical one.
 * Worst case (1024 × `%`) the relative path is ~3.1 KB, under PATH_MAX for sane drive roots.
 */
import { validateObjectKey } from "../lib/index";

export const META_FILE = "~xl.meta";
export const EMPTY_SEGMENT = "~";
const DATA_DIR_PREFIX = "~d.";
const CONTINUATION = "~";
export const MAX_PIECE_BYTES = 200;

/** Escaped bytes a code point may cost, counted pessimistically so cuts are position-free. */
function escapedCost(cp: number, atStart: boolean): number {
  if (cp === 0x25 || cp === 0x7e) return 3; // '%' and '~' (a '~' may end a piece)
  if (cp === 0x2e && atStart) return 3;
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  return cp < 0x10000 ? 3 : 4;
}

export function escapePiece(raw: string): string {
  let e = raw.replaceAll("%", "%25");
  if (e.startsWith(".")) e = "%2E" + e.slice(1);
  if (e.startsWith("~")) e = "%7E" + e.slice(1);
  if (e.endsWith("~")) e = e.slice(0, -1) + "%7E";
  return e;
}

const ESCAPES: Record<string, string> = { "%25": "%", "%2E": ".", "%7E": "~" };

function unescapePiece(name: string): string | null {
  let bad = false;
  const out = name.replace(/%(..)/g, (m) => {
    const r = ESCAPES[m];
    if (r === undefined) bad = true;
    return r ?? "";
  });
  return bad ? null : out;
}

/** Cuts a segment into raw pieces whose escaped form fits MAX_PIECE_BYTES. */
export function splitSegment(segment: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let cost = 0;
  for (let i = 0; i < segment.length; ) {
    const cp = segment.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const c = escapedCost(cp, i === start);
    if (cost + c > MAX_PIECE_BYTES) {
      pieces.push(segment.slice(start, i));
      start = i;
      cost = escapedCost(cp, true);
    } else cost += c;
    i += width;
  }
  pieces.push(segment.slice(start));
  return pieces;
}

/** Directory names, in order, for one segment of a key. */
export function segmentNames(segment: string): string[] {
  if (segment === "") return [EMPTY_SEGMENT];
  const pieces = splitSegment(segment);
  return pieces.map((p, i) => escapePiece(p) + (i < pieces.length - 1 ? CONTINUATION : ""));
}

export class InvalidKeyPath extends Error {
  override readonly name = "InvalidKeyPath";
}

/** Relative directory of a key inside its volume; throws InvalidKeyPath for invalid keys. */
export function keyToRelDir(key: string): string {
  const problem = validateObjectKey(key);
  if (problem !== null) throw new InvalidKeyPath(`key rejected: ${problem}`);
  return key.split("/").flatMap(segmentNames).join("/");
}

/** Relative directory of every complete segment of a prefix, and the remaining partial text. */
export function prefixToRelDir(prefix: string): { dir: string; base: string } {
  const cut = prefix.lastIndexOf("/");
  if (cut < 0) return { dir: "", base: "" };
  const head = prefix.slice(0, cut);
  if (validateObjectKey(head) !== null) return { dir: "", base: "" };
  return { dir: keyToRelDir(head), base: head + "/" };
}

export type DecodedEntry = { kind: "segment" | "continuation"; text: string };

/** What a directory entry means for the walk; null for internal or foreign names. */
export function decodeEntry(name: string): DecodedEntry | null {
  if (name === EMPTY_SEGMENT) return { kind: "segment", text: "" };
  if (name.startsWith("~") || name.startsWith(".")) return null;
  // Most names need no unescaping: no '%', no trailing '~' (leading '.'/'~' were ruled out).
  if (!name.includes("%") && !name.endsWith(CONTINUATION)) return { kind: "segment", text: name };
  const continued = name.endsWith(CONTINUATION);
  const body = continued ? name.slice(0, -1) : name;
  const text = unescapePiece(body);
  if (text === null || text === "" || escapePiece(text) !== body) return null;
  return { kind: continued ? "continuation" : "segment", text };
}

export function dataDirName(dataDir: string): string {
  return DATA_DIR_PREFIX + dataDir;
}

/** The data dir an entry of a key's directory holds, or null for any other entry. */
export function dataDirOf(name: string): string | null {
  return name.startsWith(DATA_DIR_PREFIX) ? name.slice(DATA_DIR_PREFIX.length) : null;
}

/** A single safe file or directory name chosen by the erasure layer (data dir, part file). */
export function isSafeName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_PIECE_BYTES &&
    name !== "." &&
    name !== ".." &&
    !name.includes("/") &&
    !name.includes("\0") &&
    name.isWellFormed()
  );
}

/**
 * Volumes are top-level directories; dot names are ours (`.cairn.sys`) or foreign, and
 * `lost+found` is what mkfs leaves at the root of a freshly formatted disk.
 */
export function isSafeVolume(volume: string): boolean {
  return isSafeName(volume) && !volume.startsWith(".") && volume !== "lost+found";
}

/** Normalises a `.cairn.sys`-relative path; null when it is empty or could escape. */
export function sysRelPath(path: string): string | null {
  const parts = path.split("/").filter((p) => p !== "");
  if (parts.length === 0 || path.startsWith("/")) return null;
  return parts.every(isSafeName) ? parts.join("/") : null;
}
