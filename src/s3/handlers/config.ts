/**
 * Bucket configurations Cairn stores but does not act on yet: default encryption (SSE comes
 * later) and event notifications (delivery comes later). Each document is validated and kept
 * as sent, and answered back verbatim.
 */
import { z } from "zod";
import type { HandlerResult, S3Context } from "../context";
import { S3Error } from "../errors";
import type { Endpoint } from "../router";
import { decodeUtf8, parseXml, readBodyBytes } from "../xml/index";
import { encodeText } from "./common";

type Ctx<Op extends Endpoint["op"]> = S3Context<Extract<Endpoint, { op: Op }>>;

export const ENCRYPTION_CONFIG = "encryption";
export const NOTIFICATION_CONFIG = "notification";

const many = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));

const encryptionShape = z.object({
  Rule: many(
    z.object({
      ApplyServerSideEncryptionByDefault: z.object({
        SSEAlgorithm: z.enum(["AES256", "aws:kms", "aws:kms:dsse"]),
        KMSMasterKeyID: z.string().optional(),
      }),
      BucketKeyEnabled: z.enum(["true", "false"]).optional(),
    }),
  ).refine((rules) => rules.length === 1),
});

const target = z.object({ Id: z.string().optional(), Event: many(z.string().regex(/^s3:[A-Za-z]+(:[A-Za-z*]+)*$/)).refine((e) => e.length > 0) }).passthrough();
const notificationShape = z.preprocess(
  (v) => (v === "" ? {} : v),
  z.object({ TopicConfiguration: many(target), QueueConfiguration: many(target), CloudFunctionConfiguration: many(target) }).passthrough(),
);

function stored(blob: Uint8Array): HandlerResult {
  return {
    headers: { "content-type": "application/xml", "content-length": String(blob.byteLength) },
    body: { kind: "stream", stream: new Blob([blob]).stream() },
  };
}

async function readDocument(ctx: S3Context, root: string, schema: z.ZodType): Promise<Uint8Array> {
  const text = decodeUtf8(await readBodyBytes(ctx.auth.body));
  parseXml(text, root, schema);
  return encodeText(text);
}

export async function getBucketEncryption(ctx: Ctx<"GetBucketEncryption">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  const blob = await ctx.deps.layer.getBucketConfig(bucket, ENCRYPTION_CONFIG);
  if (!blob) throw new S3Error("ServerSideEncryptionConfigurationNotFoundError", { bucket });
  return stored(blob);
}

export async function putBucketEncryption(ctx: Ctx<"PutBucketEncryption">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  await ctx.deps.layer.getBucketInfo(bucket);
  const doc = await readDocument(ctx, "ServerSideEncryptionConfiguration", encryptionShape);
  await ctx.deps.layer.setBucketConfig(bucket, ENCRYPTION_CONFIG, doc);
  return {};
}

export async function deleteBucketEncryption(ctx: Ctx<"DeleteBucketEncryption">): Promise<HandlerResult> {
  await ctx.deps.layer.getBucketInfo(ctx.endpoint.bucket);
  await ctx.deps.layer.setBucketConfig(ctx.endpoint.bucket, ENCRYPTION_CONFIG, null);
  return { status: 204 };
}

export async function getBucketNotification(ctx: Ctx<"GetBucketNotificationConfiguration">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  await ctx.deps.layer.getBucketInfo(bucket);
  const blob = await ctx.deps.layer.getBucketConfig(bucket, NOTIFICATION_CONFIG);
  // No configuration is an empty one, as AWS answers.
  return stored(blob ?? encodeText(`<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></NotificationConfiguration>`));
}

export async function putBucketNotification(ctx: Ctx<"PutBucketNotificationConfiguration">): Promise<HandlerResult> {
  const { bucket } = ctx.endpoint;
  await ctx.deps.layer.getBucketInfo(bucket);
  const doc = await readDocument(ctx, "NotificationConfiguration", notificationShape);
  await ctx.deps.layer.setBucketConfig(bucket, NOTIFICATION_CONFIG, doc);
  return {};
}
