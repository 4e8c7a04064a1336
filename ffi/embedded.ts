/**
 * The embedded copies of liberasurecode and its dependencies. `bun build --compile` carries each
 * imported `.so` inside the executable; at run time we write them to a private temp directory,
 * because dlopen(3) needs a real file. The copies are committed in ffi/lib (≈430 KB, BSD
 * licensed, x86_64 Debian 12 builds) so `bun test` and `bun build` never depend on a copy step;
 * scripts/build.sh refreshes them from the system when the system has them.
 *
 * This module uses node:fs (the only ffi/ file that does) because library loading is synchronous.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import xorcodePath from "./lib/libXorcode.so.1" with { type: "file" };
import isalPath from "./lib/libisal.so.2" with { type: "file" };
import liberasurecodePath from "./lib/liberasurecode.so.1" with { type: "file" };

/** Paths of the private copies; liberasurecode last, since it links libXorcode by soname. */
export interface EmbeddedCopies {
  xorcode: string;
  isal: string;
  liberasurecode: string;
  /** Removes the temp directory: safe once everything is dlopen'ed (the mappings stay valid). */
  remove(): void;
}

/**
 * Where the private copies may go, in order: CAIRN_FFI_DIR, the temp dir, /dev/shm, ~/.cache.
 * More than one because dlopen fails on a `noexec` mount, which hardened hosts use for /tmp.
 */
export function embeddedCopyDirs(): string[] {
  const dirs = [process.env.CAIRN_FFI_DIR, tmpdir(), "/dev/shm", join(homedir(), ".cache")];
  return [...new Set(dirs.filter((d): d is string => !!d))];
}

export function writeEmbeddedCopies(parent: string): EmbeddedCopies {
  const dir = mkdtempSync(join(parent, "cairn-ffi-"));
  const copy = (source: string, name: string): string => {
    const target = join(dir, name);
    writeFileSync(target, readFileSync(source), { mode: 0o500 });
    return target;
  };
  try {
    return {
      xorcode: copy(xorcodePath, "libXorcode.so.1"),
      isal: copy(isalPath, "libisal.so.2"),
      liberasurecode: copy(liberasurecodePath, "liberasurecode.so.1"),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Just the embedded ISA-L, for a system liberasurecode whose machine lacks libisal2. */
export function writeEmbeddedIsal(parent: string): { isal: string; remove(): void } {
  const dir = mkdtempSync(join(parent, "cairn-ffi-"));
  const target = join(dir, "libisal.so.2");
  writeFileSync(target, readFileSync(isalPath), { mode: 0o500 });
  return { isal: target, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
