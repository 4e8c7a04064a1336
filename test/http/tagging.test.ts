/** Tag limits as AWS states them: 10 per object, 50 per bucket, key ≤ 128 and value ≤ 256 characters. */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { CopyObjectCommand, CreateBucketCommand, GetBucketTaggingCommand, GetObjectTaggingCommand, PutBucketTaggingCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { errorCode, startHarness, type Harness } from "./harness";

setDefaultTimeout(120_000);

const B = "tag-bucket";
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
});
afterAll(async () => {
  await h.close();
});

const tagXml = (n: number) => `<Tagging><TagSet>${Array.from({ length: n }, (_, i) => `<Tag><Key>k${i}</Key><Value>v</Value></Tag>`).join("")}</TagSet></Tagging>`;

describe("tag limits", () => {
  test("a bucket takes 50 tags, not 51", async () => {
    expect((await h.send("PUT", `/${B}?tagging`, { body: tagXml(50) })).status).toBe(204);
    expect((await h.client.send(new GetBucketTaggingCommand({ Bucket: B }))).TagSet?.length).toBe(50);
    const over = await h.send("PUT", `/${B}?tagging`, { body: tagXml(51) });
    expect(await errorCode(over)).toBe("InvalidTag");
    await h.client.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: "team", Value: "x".repeat(256) }] } }));
  });

  test("an object takes 10 tags, not 11; a 129-character key is InvalidTag", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "o", Body: "x" }));
    expect((await h.send("PUT", `/${B}/o?tagging`, { body: tagXml(10) })).status).toBe(200);
    expect(await errorCode(await h.send("PUT", `/${B}/o?tagging`, { body: tagXml(11) }))).toBe("InvalidTag");
    const longKey = `<Tagging><TagSet><Tag><Key>${"k".repeat(129)}</Key><Value>v</Value></Tag></TagSet></Tagging>`;
    expect(await errorCode(await h.send("PUT", `/${B}/o?tagging`, { body: longKey }))).toBe("InvalidTag");
  });

  test("CopyObject keeps the source's tags by default and ignores x-amz-tagging without REPLACE", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "src", Body: "x", Tagging: "a=1" }));
    await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "dst", CopySource: `${B}/src`, Tagging: "b=2" }));
    expect((await h.client.send(new GetObjectTaggingCommand({ Bucket: B, Key: "dst" }))).TagSet).toEqual([{ Key: "a", Value: "1" }]);
  });
});
