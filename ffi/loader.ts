/**
 * Finds and loads liberasurecode once per process: the system copy (Debian liberasurecode1 +
 * libisal2) unless it is missing or CAIRN_FFI_EMBEDDED=1, else the copy embedded in the
 * executable. Loading is lazy so `cairn --version` works on a machine without the libraries.
 */
import { dlopen, FFIType, type Library } from "bun:ffi";
import { embeddedCopyDirs, writeEmbeddedCopies, writeEmbeddedIsal } from "./embedded";
import { EcError } from "./errors";
import { BACKENDS, libcSymbols, liberasurecodeSymbols, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD } from "./symbols";

export type LiberasurecodeLibrary = Library<typeof liberasurecodeSymbols>;
export type LibrarySource = "system" | "embedded";

export interface LoadedLibrary {
  lib: LiberasurecodeLibrary;
  source: LibrarySource;
  /** True when ISA-L came from the embedded copy although liberasurecode came from the system. */
  embeddedIsal: boolean;
}

const INSTALL_HINT =
  "install the Debian packages liberasurecode1 and libisal2 (apt-get install liberasurecode1 libisal2)";

/** glibc gives fragment-sized buffers back to the kernel on every free; keeping them is ~10x faster. */
const MMAP_THRESHOLD = 32 << 20; // glibc's maximum on 64-bit
const TRIM_THRESHOLD = 256 << 20;

let loaded: LoadedLibrary | undefined;
/** Handles of libraries we preloaded by path: held so they are never closed. */
const pinned: { close(): void }[] = [];

export function loadLiberasurecode(): LoadedLibrary {
  if (loaded) return loaded;
  tuneMalloc();
  const forceEmbedded = process.env.CAIRN_FFI_EMBEDDED === "1";
  let systemError: unknown;
  if (!forceEmbedded) {
    try {
      const lib = dlopen("liberasurecode.so.1", liberasurecodeSymbols);
      loaded = { lib, source: "system", embeddedIsal: ensureIsal(lib) };
      return loaded;
    } catch (err) {
      systemError = err;
    }
  }
  try {
    loaded = { lib: loadEmbedded(), source: "embedded", embeddedIsal: true };
    return loaded;
  } catch (err) {
    const why = systemError === undefined ? "" : ` System copy: ${describe(systemError)}.`;
    throw new EcError("ELIBRARYMISSING", `cannot load liberasurecode: ${INSTALL_HINT}.${why} Embedded copy: ${describe(err)}`, {
      cause: err,
    });
  }
}

function loadEmbedded(): LiberasurecodeLibrary {
  const failures: string[] = [];
  for (const parent of embeddedCopyDirs()) {
    try {
      return loadEmbeddedFrom(parent);
    } catch (err) {
      failures.push(`${parent}: ${describe(err)}`);
    }
  }
  throw new Error(`no usable directory for the private copy (set CAIRN_FFI_DIR to an exec-mounted one): ${failures.join("; ")}`);
}

function loadEmbeddedFrom(parent: string): LiberasurecodeLibrary {
  const copies = writeEmbeddedCopies(parent);
  try {
    // Order matters: liberasurecode's DT_NEEDED libXorcode.so.1 and its run-time dlopen of
    // libisal.so.2 are both satisfied by soname from objects already loaded.
    preload(copies.xorcode, "fast_memcpy");
    preload(copies.isal, "ec_encode_data");
    return dlopen(copies.liberasurecode, liberasurecodeSymbols);
  } finally {
    copies.remove();
  }
}

/** A system liberasurecode without libisal2: borrow the embedded ISA-L rather than fall back. */
function ensureIsal(lib: LiberasurecodeLibrary): boolean {
  if (process.env.CAIRN_EC_BACKEND || lib.symbols.liberasurecode_backend_available(BACKENDS.isa_l_rs_vand) === 1) {
    return false;
  }
  for (const parent of embeddedCopyDirs()) {
    let copy: ReturnType<typeof writeEmbeddedIsal> | undefined;
    try {
      copy = writeEmbeddedIsal(parent);
      preload(copy.isal, "ec_encode_data");
      return lib.symbols.liberasurecode_backend_available(BACKENDS.isa_l_rs_vand) === 1;
    } catch {
      // try the next directory; with none, the backend fallback in ec/ still applies
    } finally {
      copy?.remove();
    }
  }
  return false;
}

function preload(path: string, anySymbol: string): void {
  // bun's dlopen wants at least one declared symbol; we never call it.
  pinned.push(dlopen(path, { [anySymbol]: { args: [], returns: FFIType.void } }));
}

let mallocTuned = false;
function tuneMalloc(): void {
  if (mallocTuned) return;
  mallocTuned = true;
  try {
    const libc = dlopen("libc.so.6", libcSymbols);
    libc.symbols.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    libc.symbols.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    libc.close();
  } catch {
    // Not glibc (e.g. musl): nothing to tune; liberasurecode just runs slower.
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
