/** Stored-only bucket configurations (encryption, notification) and GetObjectAttributes. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectAttributesCommand,
  PutBucketEncryptionCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { errorCode, sdkErrorName, harnessForFile } from "./harness";

setDefaultTimeout(120_000);

const B = "cfg-bucket";
const h = harnessForFile();
beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
});


describe("bucket encryption configuration (stored)", () => {
  test("put, get, delete; invalid algorithm is MalformedXML", async () => {
    expect(await sdkErrorName(h.client.send(new GetBucketEncryptionCommand({ Bucket: B })))).toBe("ServerSideEncryptionConfigurationNotFoundError");
    await h.client.send(
      new PutBucketEncryptionCommand({ Bucket: B, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true }] } }),
    );
    const got = await h.client.send(new GetBucketEncryptionCommand({ Bucket: B }));
    expect(got.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("AES256");
    const bad = await h.send("PUT", `/${B}?encryption`, {
      body: "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>ROT13</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
    });
    expect(await errorCode(bad)).toBe("MalformedXML");
    await h.client.send(new DeleteBucketEncryptionCommand({ Bucket: B }));
    expect(await sdkErrorName(h.client.send(new GetBucketEncryptionCommand({ Bucket: B })))).toBe("ServerSideEncryptionConfigurationNotFoundError");
  });
});

describe("bucket notification configuration (stored)", () => {
  test("empty by default; put and read back", async () => {
    const empty = await h.client.send(new GetBucketNotificationConfigurationCommand({ Bucket: B }));
    expect(empty.QueueConfigurations ?? []).toEqual([]);
    await h.client.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: B,
        NotificationConfiguration: { QueueConfigurations: [{ Id: "q1", QueueArn: "arn:minio:sqs::1:webhook", Events: ["s3:ObjectCreated:*"] }] },
      }),
    );
    const got = await h.client.send(new GetBucketNotificationConfigurationCommand({ Bucket: B }));
    expect(got.QueueConfigurations?.[0]).toMatchObject({ Id: "q1", QueueArn: "arn:minio:sqs::1:webhook", Events: ["s3:ObjectCreated:*"] });
    const bad = await h.send("PUT", `/${B}?notification`, { body: "<NotificationConfiguration><QueueConfiguration><Queue>x</Queue></QueueConfiguration></NotificationConfiguration>" });
    expect(await errorCode(bad)).toBe("MalformedXML");
  });
});

describe("GetObjectAttributes", () => {
  test("single-part object: the attributes asked for", async () => {
    const put = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "attr", Body: "hello world", ChecksumAlgorithm: "CRC32" }));
    const a = await h.client.send(new GetObjectAttributesCommand({ Bucket: B, Key: "attr", ObjectAttributes: ["ETag", "ObjectSize", "StorageClass", "Checksum"] }));
    expect(a.ETag).toBe(put.ETag!.replace(/"/g, ""));
    expect(a.ObjectSize).toBe(11);
    expect(a.StorageClass).toBe("STANDARD");
    expect(a.Checksum?.ChecksumCRC32).toBe(put.ChecksumCRC32);
    expect(a.LastModified).toBeInstanceOf(Date);
  });

  test("multipart object reports its part count; unknown attribute is InvalidArgument", async () => {
    const up = new Upload({ client: h.client, params: { Bucket: B, Key: "mp", Body: new Uint8Array(11 * 1024 * 1024) }, partSize: 5 * 1024 * 1024 });
    await up.done();
    const a = await h.client.send(new GetObjectAttributesCommand({ Bucket: B, Key: "mp", ObjectAttributes: ["ObjectParts", "ObjectSize"] }));
    expect(a.ObjectParts?.TotalPartsCount).toBe(3);
    expect(a.ObjectSize).toBe(11 * 1024 * 1024);
    const bad = await h.send("GET", `/${B}/mp?attributes`, { headers: { "x-amz-object-attributes": "Colour" } });
    expect(await errorCode(bad)).toBe("InvalidArgument");
  });
});
