/**
 * ACLs as AWS answers them for owner-only buckets: the owner holds FULL_CONTROL, and the canned
 * ACLs Cairn maps to policy grants (public-read, public-read-write, authenticated-read) show as
 * the matching group grants. Explicit grants to other principals are not supported.
 */
import { z } from "zod";
import { isCannedAcl, type CannedAcl } from "../../iam/index";
import { type HandlerResult, type S3Context } from "../context";
import { S3Error } from "../errors";
import type { Endpoint } from "../router";
import { decodeUtf8, parseXml, readBodyBytes } from "../xml/index";
import { ACL_CONFIG, ACL_META, OWNER, decodeText, encodeText, versionHeader, type Xml } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const GROUPS = { all: "http://acs.amazonaws.com/groups/global/AllUsers", auth: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" };
type Grant = { grantee: "owner" | "all" | "auth"; permission: string };

const CANNED_GRANTS: Partial<Record<CannedAcl, Grant[]>> = {
  "public-read": [{ grantee: "all", permission: "READ" }],
  "public-read-write": [{ grantee: "all", permission: "READ" }, { grantee: "all", permission: "WRITE" }],
  "authenticated-read": [{ grantee: "auth", permission: "READ" }],
};

function grantXml(g: Grant): Xml {
  const grantee =
    g.grantee === "owner"
      ? { "@_xmlns:xsi": XSI, "@_xsi:type": "CanonicalUser", ...OWNER }
      : { "@_xmlns:xsi": XSI, "@_xsi:type": "Group", URI: GROUPS[g.grantee] };
  return { Grantee: grantee, Permission: g.permission };
}

function aclXml(canned: string): HandlerResult["body"] & object {
  const extra = isCannedAcl(canned) ? (CANNED_GRANTS[canned] ?? []) : [];
  const grants = [{ grantee: "owner", permission: "FULL_CONTROL" } as Grant, ...extra].map(grantXml);
  return { kind: "xml", root: "AccessControlPolicy", value: { Owner: { ...OWNER }, AccessControlList: { Grant: grants } } };
}

const aclBody = z.object({
  AccessControlList: z.preprocess(
    (v) => (v === "" ? {} : v),
    z.object({
      Grant: z.preprocess(
        (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
        z.array(z.object({ Grantee: z.object({ ID: z.string().optional(), URI: z.string().optional() }), Permission: z.string() })),
      ),
    }),
  ),
});

/** The canned ACL a request asks for, from `x-amz-acl` or an AccessControlPolicy body. */
export async function requestedAcl(ctx: S3Context): Promise<CannedAcl> {
  for (const h of ["x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control"]) {
    if (ctx.headers.has(h)) throw new S3Error("NotImplemented", { message: `Explicit grants (${h}) are not supported.` });
  }
  const header = cannedAclHeader(ctx.headers);
  const text = decodeUtf8(await readBodyBytes(ctx.auth.body));
  if (header !== undefined) return header;
  if (text.trim() === "") throw new S3Error("MissingSecurityHeader", { message: "Your request was missing a required header: x-amz-acl" });
  const grants = parseXml(text, "AccessControlPolicy", aclBody).AccessControlList.Grant.map((g) => {
    if (g.Grantee.ID === OWNER.ID && g.Permission === "FULL_CONTROL") return "owner";
    if (g.Grantee.URI === GROUPS.all || g.Grantee.URI === GROUPS.auth) return `${g.Grantee.URI === GROUPS.all ? "all" : "auth"}:${g.Permission}`;
    return "other";
  });
  const set = [...new Set(grants)].sort().join(",");
  const canned = ({ owner: "private", "all:READ,owner": "public-read", "all:READ,all:WRITE,owner": "public-read-write", "auth:READ,owner": "authenticated-read" } as Record<string, CannedAcl>)[set];
  if (!canned) throw new S3Error("NotImplemented", { message: "Only the owner's FULL_CONTROL grant and the canned ACL group grants are supported." });
  return canned;
}

/** `x-amz-acl`, validated; undefined when absent. */
export function cannedAclHeader(headers: Headers): CannedAcl | undefined {
  const v = headers.get("x-amz-acl");
  if (v === null) return undefined;
  if (!isCannedAcl(v)) throw new S3Error("InvalidArgument", { fields: { ArgumentName: "x-amz-acl", ArgumentValue: v } });
  return v;
}

/** The stored form of a canned ACL: only ACLs that grant something beyond the owner are kept. */
export function storedAcl(acl: CannedAcl | undefined): string | undefined {
  return acl !== undefined && CANNED_GRANTS[acl] ? acl : undefined;
}

export async function getBucketAcl(ctx: Ctx<"GetBucketAcl">): Promise<HandlerResult> {
  await ctx.deps.layer.getBucketInfo(ctx.endpoint.bucket);
  const blob = await ctx.deps.layer.getBucketConfig(ctx.endpoint.bucket, ACL_CONFIG);
  return { body: aclXml(blob ? decodeText(blob) : "private") };
}

export async function putBucketAcl(ctx: Ctx<"PutBucketAcl">): Promise<HandlerResult> {
  await ctx.deps.layer.getBucketInfo(ctx.endpoint.bucket);
  await storeBucketAcl(ctx, await requestedAcl(ctx));
  return {};
}

export async function storeBucketAcl(ctx: S3Context & { endpoint: { bucket: string } }, acl: CannedAcl): Promise<void> {
  const stored = storedAcl(acl);
  const data = stored ? encodeText(stored) : null;
  await ctx.deps.layer.setBucketConfig(ctx.endpoint.bucket, ACL_CONFIG, data);
}

function versionIdOf(ctx: S3Context): string | undefined {
  return ctx.query.get("versionId") ?? undefined;
}

export async function getObjectAcl(ctx: Ctx<"GetObjectAcl">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const info = await ctx.deps.layer.statObject(bucket, key, { versionId: versionIdOf(ctx) });
  return { headers: versionHeader(info.versionId), body: aclXml(info.metadata.system?.[ACL_META] ?? "private") };
}

export async function putObjectAcl(ctx: Ctx<"PutObjectAcl">): Promise<HandlerResult> {
  const { bucket, key } = ctx.endpoint;
  const acl = await requestedAcl(ctx);
  const patch = { [ACL_META]: storedAcl(acl) ?? null };
  const info = await ctx.deps.layer.updateObjectMetadata(bucket, key, patch, { versionId: versionIdOf(ctx) });
  return { headers: versionHeader(info.versionId) };
}

