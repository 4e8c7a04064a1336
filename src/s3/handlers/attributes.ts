/** GetObjectAttributes: the parts of HEAD's answer a client names in `x-amz-object-attributes`. */
import { xml, type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import { checksumFields, conditionsFromHeaders } from "../headers";
import type { Endpoint } from "../router";
import { httpDate, listStorageClass, versionHeader, type Xml } from "./common";

type Ctx = S3Context<Extract<Endpoint, { op: "GetObjectAttributes" }>>;

const ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"] as const;
type Attribute = (typeof ATTRIBUTES)[number];

function requested(headers: Headers): Set<Attribute> {
  const names = (headers.get("x-amz-object-attributes") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) throw new S3Error("InvalidRequest", { message: "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty" });
  for (const n of names) {
    if (!(ATTRIBUTES as readonly string[]).includes(n)) throw new S3Error("InvalidArgument", { message: "Invalid attribute name specified.", fields: { ArgumentName: "x-amz-object-attributes", ArgumentValue: n } });
  }
  return new Set(names as Attribute[]);
}

export async function getObjectAttributes(ctx: Ctx): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const want = requested(ctx.headers);
  const versionId = ctx.query.get("versionId") ?? undefined;
  const info = await ctx.deps.layer.statObject(bucket, key, { versionId, conditions: conditionsFromHeaders(ctx.headers, "") });
  const value: Xml = {};
  if (want.has("ETag")) value.ETag = info.etag;
  if (want.has("Checksum") && info.checksums) value.Checksum = { ...checksumFields(info.checksums), ...(info.checksumType && { ChecksumType: info.checksumType }) };
  // Only a multipart upload (ETag "…-N") has parts to report: AWS omits ObjectParts for a single PUT.
  if (want.has("ObjectParts") && info.parts && info.parts.length > 0 && /-\d+$/.test(info.etag)) {
    value.ObjectParts = { TotalPartsCount: info.parts.length, PartsCount: info.parts.length };
  }
  if (want.has("StorageClass")) value.StorageClass = listStorageClass(info);
  if (want.has("ObjectSize")) value.ObjectSize = info.size;
  return xml("GetObjectAttributesResponse", value, { headers: { "last-modified": httpDate(info.modTime), ...versionHeader(info.versionId) } });
}
