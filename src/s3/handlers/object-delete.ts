/** DeleteObject and DeleteObjects (POST ?delete). */
import type { DeleteObjectsResult } from "../../object/index";
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error, S3_ERRORS, toS3Error } from "../errors";
import { contentMd5Hex } from "../headers";
import type { Endpoint } from "../router";
import { XML_LIST_BODY_LIMIT, decodeUtf8, parseXml, readBodyBytes, schemas, type XmlValue } from "../xml/index";
import { versioningOf } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

/** AWS: at most 1000 keys per DeleteObjects request. */
export const MAX_DELETE_KEYS = 1000;

export async function deleteObject(ctx: Ctx<"DeleteObject">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const versionId = ctx.query.get("versionId") ?? undefined;
  const res = await ctx.deps.layer.deleteObject(bucket, key, {
    versionId,
    versioning: await versioningOf(ctx.deps.layer, bucket),
    bypassGovernance: bypass(ctx.headers),
  });
  const headers: Record<string, string> = {};
  if (res.versionId) headers["x-amz-version-id"] = res.versionId;
  if (res.deleteMarker) headers["x-amz-delete-marker"] = "true";
  return { status: 204, headers };
}

function bypass(headers: Headers): boolean {
  return (headers.get("x-amz-bypass-governance-retention") ?? "").toLowerCase() === "true";
}

export async function deleteObjects(ctx: Ctx<"DeleteObjects">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const expectedMd5 = contentMd5Hex(ctx.headers);
  const bytes = await readBodyBytes(ctx.auth.body, XML_LIST_BODY_LIMIT);
  if (expectedMd5 !== undefined) {
    const computed = new Bun.CryptoHasher("md5").update(bytes).digest("hex");
    if (computed !== expectedMd5) throw new S3Error("BadDigest");
  }
  const req = parseXml(decodeUtf8(bytes), "Delete", schemas.deleteRequest);
  if (req.Object.length > MAX_DELETE_KEYS) {
    throw new S3Error("MalformedXML", { message: `A DeleteObjects request may name at most ${MAX_DELETE_KEYS} keys.` });
  }
  const quiet = req.Quiet?.toLowerCase() === "true";
  const results = await ctx.deps.layer.deleteObjects(
    bucket,
    req.Object.map((o) => ({ key: o.Key, ...(o.VersionId !== undefined && { versionId: o.VersionId }) })),
    { versioning: await versioningOf(ctx.deps.layer, bucket), bypassGovernance: bypass(ctx.headers) },
  );
  return xml("DeleteResult", deleteResultXml(results, quiet));
}

/** Successes (unless quiet) as `<Deleted>`, failures as `<Error>` with the S3 code of each. */
export function deleteResultXml(results: DeleteObjectsResult[], quiet: boolean): Record<string, XmlValue> {
  const deleted: XmlValue[] = [];
  const errors: XmlValue[] = [];
  for (const r of results) {
    if (r.ok) {
      if (quiet) continue;
      deleted.push({
        Key: r.key,
        VersionId: r.requestedVersionId,
        ...(r.deleteMarker && { DeleteMarker: true, DeleteMarkerVersionId: r.versionId ?? "null" }),
      });
    } else {
      const e = toS3Error(r.error);
      errors.push({ Key: r.key, VersionId: r.versionId, Code: e.code, Message: e.status >= 500 ? S3_ERRORS[e.code][1] : e.message });
    }
  }
  return { Deleted: deleted, Error: errors };
}
