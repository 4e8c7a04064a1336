/** Lifecycle configuration API and the scanner applying it through the real erasure layer. */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { scanLifecycleOnce } from "../../src/bucket/index";
import { lifecycleTargetOf } from "../../src/s3/index";
import { errorCode, startHarness, type Harness } from "./harness";

setDefaultTimeout(120_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

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
