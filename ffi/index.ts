/** Public surface of the liberasurecode bindings. Only src/ec imports this. */
import { loadLiberasurecode, type LibrarySource } from "./loader";

export { EcError, isEcError, type EcErrorKind } from "./errors";
export { NativeCodec, backendAvailable, encodedLength, slotGeometry, validateGeometry, type NativeCodecOptions } from "./native-codec";
export { BACKENDS, FRAGMENT_HEADER, FRAGMENT_MAGIC, MAX_FRAGMENTS, type BackendName } from "./symbols";

export interface LibraryInfo {
  /** Where liberasurecode was loaded from. */
  source: LibrarySource;
  /** ISA-L borrowed from the embedded copy because the system lacked libisal2. */
  embeddedIsal: boolean;
  /** liberasurecode version, e.g. "1.6.2". */
  version: string;
}

/** Loads the library if needed (throws EcError "ELIBRARYMISSING" with an install hint). */
export function libraryInfo(): LibraryInfo {
  const { lib, source, embeddedIsal } = loadLiberasurecode();
  const v = lib.symbols.liberasurecode_get_version();
  return { source, embeddedIsal, version: `${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff}` };
}
