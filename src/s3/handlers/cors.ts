/** Put/Get/DeleteBucketCors: validated by the bucket engine, stored as its model (JSON). */
import { corsConfigurationXml, parseCorsConfiguration } from "../../bucket/index";
import { z } from "zod";
import { xml, type HandlerResult, type S3Context } from "../context";
import { CORS_CONFIG, loadCors } from "../cors";
import { S3Error } from "../errors";
import type { Endpoint } from "../router";
import { decodeUtf8, parseXml, readBodyBytes, type XmlValue } from "../xml/index";
import { encodeText } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

export async function getBucketCors(ctx: Ctx<"GetBucketCors">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const config = await loadCors(ctx.deps.layer, bucket);
  if (!config) throw new S3Error("NoSuchCORSConfiguration", { bucket });
  return xml("CORSConfiguration", corsConfigurationXml(config) as Record<string, XmlValue>);
}

export async function putBucketCors(ctx: Ctx<"PutBucketCors">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  await ctx.deps.layer.getBucketInfo(bucket);
  const text = decodeUtf8(await readBodyBytes(ctx.auth.body));
  const config = parseCorsConfiguration(parseXml(text, "CORSConfiguration", z.unknown()));
  await ctx.deps.layer.setBucketConfig(bucket, CORS_CONFIG, encodeText(JSON.stringify(config)));
  return {};
}

export async function deleteBucketCors(ctx: Ctx<"DeleteBucketCors">): Promise<HandlerResult> {
  await ctx.deps.layer.getBucketInfo(ctx.endpoint.bucket);
  await ctx.deps.layer.setBucketConfig(ctx.endpoint.bucket, CORS_CONFIG, null);
  return { status: 204 };
}
