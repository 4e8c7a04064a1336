/** The xl.meta codec and the pure version helpers the erasure layer builds on. */
export * from "./types";
export { encodeXlMeta, decodeXlMeta, type EncodeOptions } from "./codec";
export { FORMAT_VERSION as XL_META_FORMAT_VERSION } from "./frame";
export { inlineKey } from "./invariants";
export {
  emptyXlMeta,
  latestVersion,
  findVersion,
  inlineDataOf,
  addVersion,
  removeVersion,
  type Removal,
} from "./versions";
export { newVersionId, nowNanos } from "./ids";
export { SiblingRef } from "./sibling";
