/**
 * Public surface of src/client: the S3 client (own SigV4 signer over fetch) and the mc-style
 * command implementations the CLI calls. Talks HTTP only (DESIGN §1).
 */
export { ClientError, isClientError, type ClientErrorKind } from "./errors";
export { configDir, configPath, loadConfig, resolveAlias, listAliases, parseHostEnv, type AliasConfig } from "./config";
export { S3Client, encodeKey, type S3Request } from "./http";
export { parseLocation, type Location } from "./location";
export { Progress, progressMode, type ProgressMode } from "./progress";
export { DEFAULT_TRANSFER, transfer, type ObjRef, type TransferOptions } from "./transfer";
export { uploadMultipart, effectivePartSize, type Source } from "./multipart";
export { formatSize, parseSize, parseAge, parseAttrs } from "./util";
export * as ops from "./ops";
export * as listing from "./list";
export { aliasSet, aliasList, aliasRemove } from "./cmd/alias";
export { ls, find, du, type LsOptions, type FindOptions } from "./cmd/ls";
export { cp, type CpOptions } from "./cmd/cp";
export { mirror, diff, type MirrorOptions } from "./cmd/mirror";
export { rm, type RmOptions } from "./cmd/rm";
export { mb, rb, versioning } from "./cmd/bucket";
export { cat, head, stat, tag, share } from "./cmd/object";
