/**
 * CopyObject: the source is streamed (GET) straight into a new PUT, so a copy never holds the
 * object in memory. A copy onto itself with REPLACE in a non-versioned bucket only rewrites the
 * metadata (no data moves), as S3 allows for changing an object's metadata.
 */
import { ObjectError, type CopyObjectOptions, type ObjectInfo, type ObjectLayer } from "../object/index";
import { metadataToRecord } from "./info";
import type { ErasureSet, Loc } from "./set";
import { updateVersionMeta } from "./versions";

export async function copyObject(
  layer: ObjectLayer,
  where: { src: Loc; dst: Loc; dstSet: ErasureSet },
  opts: CopyObjectOptions,
): Promise<ObjectInfo> {
  const { src, dst } = where;
  const same = src.bucket === dst.bucket && src.key === dst.key;
  if (same && opts.metadataDirective === "COPY" && opts.storageClass === undefined) {
    throw new ObjectError({
      kind: "InvalidArgument",
      message: "copying an object to itself requires changing its metadata or storage class",
    });
  }
  if (same && opts.metadataDirective === "REPLACE" && opts.versioning !== "enabled" && opts.storageClass === undefined) {
    const srcInfo = await layer.statObject(src.bucket, src.key, {
      ...(opts.srcVersionId ? { versionId: opts.srcVersionId } : {}),
      ...(opts.srcConditions ? { conditions: opts.srcConditions } : {}),
    });
    const replacement = metadataToRecord({
      ...(opts.metadata ?? { user: {} }),
      // Tags and other system values stay with the object unless the caller sets them.
      system: { ...srcInfo.metadata.system, ...opts.metadata?.system },
    });
    return updateVersionMeta(where.dstSet, dst, opts.srcVersionId, () => replacement);
  }
  const got = await layer.getObject(src.bucket, src.key, {
    ...(opts.srcVersionId ? { versionId: opts.srcVersionId } : {}),
    ...(opts.srcConditions ? { conditions: opts.srcConditions } : {}),
  });
  const info = got.info;
  const metadata = opts.metadataDirective === "REPLACE" ? (opts.metadata ?? { user: {} }) : info.metadata;
  return layer.putObject(dst.bucket, dst.key, got.body, {
    size: info.size,
    metadata,
    versioning: opts.versioning,
    storageClass: opts.storageClass ?? info.storageClass,
    // A multipart object's checksums are per part (composite): they do not describe a single PUT.
    ...(info.checksums && (info.parts?.length ?? 1) <= 1 ? { checksums: info.checksums } : {}),
  });
}
