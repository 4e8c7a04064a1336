/** Lifecycle configuration API and the scanner applying it through the real erasure layer. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { expiryTime, scanLifecycleOnce } from "../../src/bucket/index";
import { lifecycleTargetOf } from "../../src/s3/index";
import { errorCode, harnessForFile } from "./harness";

setDefaultTimeout(120_000);

const h = harnessForFile();

/** One scanner pass as if it ran `days` days from now. */
const scan = (days: number) => scanLifecycleOnce({ layer: h.layer, targetOf: (b) => lifecycleTargetOf(h.layer, b), now: () => new Date(Date.now() + days * 86_400_000) });

async function keys(bucket: string): Promise<string[]> {
  const r = await h.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return [...(r.Versions ?? []).map((v) => `${v.Key}`), ...(r.DeleteMarkers ?? []).map((d) => `${d.Key}(marker)`)].sort();
}

describe("lifecycle configuration API", () => {
  test("put, get, delete; invalid documents get AWS's codes", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "lc-api" }));
    const e = await h.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-api" })).catch((x: unknown) => x);
    expect((e as S3ServiceException).name).toBe("NoSuchLifecycleConfiguration");
    await h.client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: "lc-api",
        LifecycleConfiguration: { Rules: [{ ID: "logs", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } }] },
      }),
    );
    const got = await h.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-api" }));
    expect(got.Rules?.[0]).toMatchObject({ ID: "logs", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } });
    const bad = await h.send("PUT", "/lc-api?lifecycle", { body: "<LifecycleConfiguration><Rule><Status>Maybe</Status></Rule></LifecycleConfiguration>" });
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe("MalformedXML");
    await h.client.send(new DeleteBucketLifecycleCommand({ Bucket: "lc-api" }));
    const after = await h.client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-api" })).catch((x: unknown) => x);
    expect((after as S3ServiceException).name).toBe("NoSuchLifecycleConfiguration");
  });
});

describe("x-amz-expiration", () => {
  test("PUT, Copy, CompleteMultipartUpload, GET and HEAD name the due date and rule of a matching Expiration rule; other keys get none", async () => {
    const B = "lc-hdr";
    await h.client.send(new CreateBucketCommand({ Bucket: B }));
    const rules = [
      { ID: "logs-30", Status: "Enabled" as const, Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } },
      { ID: "tagged-2", Status: "Enabled" as const, Filter: { Tag: { Key: "tmp", Value: "1" } }, Expiration: { Days: 2 } },
      { ID: "off", Status: "Disabled" as const, Filter: { Prefix: "" }, Expiration: { Days: 1 } },
    ];
    await h.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: rules } }));
    const expected = (modTime: Date, days: number, id: string) => `expiry-date="${expiryTime(modTime, days).toUTCString()}", rule-id="${id}"`;
    const put = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "logs/a", Body: "a" }));
    const head = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "logs/a" }));
    const want = expected(head.LastModified!, 30, "logs-30");
    expect(want).toMatch(/^expiry-date="\w{3}, \d{2} \w{3} \d{4} 00:00:00 GMT", rule-id="logs-30"$/);
    expect(put.Expiration).toBe(want);
    expect(head.Expiration).toBe(want);
    expect((await h.client.send(new GetObjectCommand({ Bucket: B, Key: "logs/a" }))).Expiration).toBe(want);
    // Both rules match a tagged log: the earlier date wins.
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "logs/t", Body: "t", Tagging: "tmp=1" }));
    const tagged = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "logs/t" }));
    expect(tagged.Expiration).toBe(expected(tagged.LastModified!, 2, "tagged-2"));
    const copy = await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "logs/copy", CopySource: `${B}/logs/a` }));
    const copyHead = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "logs/copy" }));
    expect(copy.Expiration).toBe(expected(copyHead.LastModified!, 30, "logs-30"));
    const mp = await h.client.send(new CreateMultipartUploadCommand({ Bucket: B, Key: "logs/mp" }));
    const part = await h.client.send(new UploadPartCommand({ Bucket: B, Key: "logs/mp", UploadId: mp.UploadId, PartNumber: 1, Body: "p" }));
    const done = await h.client.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: "logs/mp", UploadId: mp.UploadId, MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] } }));
    const mpHead = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "logs/mp" }));
    expect(done.Expiration).toBe(expected(mpHead.LastModified!, 30, "logs-30"));
    expect((await h.client.send(new PutObjectCommand({ Bucket: B, Key: "data/x", Body: "x" }))).Expiration).toBeUndefined();
    expect((await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "data/x" }))).Expiration).toBeUndefined();
    await h.client.send(new DeleteBucketLifecycleCommand({ Bucket: B }));
    expect((await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "logs/a" }))).Expiration).toBeUndefined();
  });
});

describe("lifecycle scanner", () => {
  test("expires current objects under the rule's prefix once due, and nothing else", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "lc-exp" }));
    await h.client.send(new PutObjectCommand({ Bucket: "lc-exp", Key: "logs/a", Body: "a" }));
    await h.client.send(new PutObjectCommand({ Bucket: "lc-exp", Key: "keep/b", Body: "b" }));
    await h.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "lc-exp", LifecycleConfiguration: { Rules: [{ ID: "r", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 1 } }] } }));
    expect((await scan(0)).expired).toBe(0);
    expect(await keys("lc-exp")).toEqual(["keep/b", "logs/a"]);
    expect((await scan(3)).expired).toBe(1);
    expect(await keys("lc-exp")).toEqual(["keep/b"]);
  });

  test("versioned: noncurrent versions go, then the expired delete marker", async () => {
    const B = "lc-ver";
    await h.client.send(new CreateBucketCommand({ Bucket: B }));
    await h.client.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: "Enabled" } }));
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "k", Body: "1" }));
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "k", Body: "2" }));
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "gone", Body: "x" }));
    await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "gone" }));
    await h.client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: B,
        LifecycleConfiguration: { Rules: [{ ID: "nc", Status: "Enabled", Filter: { Prefix: "" }, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Expiration: { ExpiredObjectDeleteMarker: true } }] },
      }),
    );
    const first = await scan(3);
    expect(first.deletedVersions).toBe(2);
    expect(await keys(B)).toEqual(["gone(marker)", "k"]);
    const second = await scan(3);
    expect(second.deletedMarkers).toBe(1);
    expect(await keys(B)).toEqual(["k"]);
  });

  test("aborts incomplete multipart uploads after the configured days", async () => {
    const B = "lc-mpu";
    await h.client.send(new CreateBucketCommand({ Bucket: B }));
    await h.client.send(new CreateMultipartUploadCommand({ Bucket: B, Key: "big" }));
    await h.client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [{ ID: "mpu", Status: "Enabled", Filter: { Prefix: "" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }] } }));
    expect((await scan(1)).abortedUploads).toBe(0);
    expect((await scan(4)).abortedUploads).toBe(1);
    expect((await h.client.send(new ListMultipartUploadsCommand({ Bucket: B }))).Uploads ?? []).toEqual([]);
  });
});
