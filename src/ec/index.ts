/**
 * The pure erasure codec used by the erasure layer: block → k+m shards → block.
 *
 * Shards keep liberasurecode's 80-byte fragment header on disk. Why:
 * - The healthy read path stays free of C and of copies either way: the data bytes are a fixed
 *   slice of each data shard (`dataViews`), so a header costs nothing there.
 * - Degraded reads and heal hand the shards to liberasurecode as they are (no copy on the way
 *   in when a shard starts 16-byte aligned; liberasurecode copies unaligned ones itself).
 *   Stripped shards would need a header rebuilt per fragment, including liberasurecode's
 *   internal metadata checksum, i.e. a copy and a dependency on its private format.
 * - The header names the fragment index and block size, so a shard read from the wrong file or
 *   the wrong position is caught (EBADHEADER) instead of silently decoding garbage.
 * The price is 80 bytes per shard per block (0.03% at 1 MiB, 4+2); `shardSize` includes it.
 * Bitrot protection is not the header's job (checksum type NONE): the erasure layer hashes shards.
 */
export { createCodec, preferredBackends } from "./codec";
export type { Codec, CodecOptions } from "./types";
export { HEADER_SIZE as SHARD_HEADER_SIZE } from "./fragment";
export { releaseInstances as releaseCodecInstances } from "./instances";
export { PLAIN_ALGORITHM } from "./plain-codec";
export { EcError, isEcError, type EcErrorKind, libraryInfo, type LibraryInfo } from "../../ffi";
