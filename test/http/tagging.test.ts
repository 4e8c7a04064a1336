/**
 * Tag limits as AWS states them: 10 per object, 50 per bucket (BadRequest, in AWS's words),
 * key ≤ 128 and value ≤ 256 characters (InvalidTag).
 */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { CopyObjectCommand, CreateBucketCommand, GetBucketTaggingCommand, GetObjectTaggingCommand, PutBucketTaggingCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { errorCode, harnessForFile } from "./harness";

setDefaultTimeout(120_000);

const B = "tag-bucket";
const h = harnessForFile();
beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
});

const tagXml = (n: number) => `<Tagging><TagSet>${Array.from({ length: n }, (_, i) => `<Tag><Key>k${i}</Key><Value>v</Value></Tag>`).join("")}</TagSet></Tagging>`;

describe("tag limits", () => {
  test("a bucket takes 50 tags, not 51", async () => {
    expect((await h.send("PUT", `/${B}?tagging`, { body: tagXml(50) })).status).toBe(204);
    expect((await h.client.send(new GetBucketTaggingCommand({ Bucket: B }))).TagSet?.length).toBe(50);
    const over = await h.send("PUT", `/${B}?tagging`, { body: tagXml(51) });
    expect(over.status).toBe(400);
    const body = await over.text();
    expect(body).toContain("<Code>BadRequest</Code>");
    expect(body).toContain("<Message>Bucket tag count cannot be greater than 50</Message>");
    await h.client.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: "team", Value: "x".repeat(256) }] } }));
  });

  test("a bad tag is InvalidTag even among too many: each tag is checked before the count", async () => {
    const tooManyAndBad = tagXml(51).replace("<Key>k50</Key>", `<Key>${"k".repeat(129)}</Key>`);
    expect(await errorCode(await h.send("PUT", `/${B}?tagging`, { body: tooManyAndBad }))).toBe("InvalidTag");
  });

  test("an object takes 10 tags, not 11 (BadRequest in object words); a 129-character key is InvalidTag", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "o", Body: "x" }));
    expect((await h.send("PUT", `/${B}/o?tagging`, { body: tagXml(10) })).status).toBe(200);
    const over = await (await h.send("PUT", `/${B}/o?tagging`, { body: tagXml(11) })).text();
    expect(over).toContain("<Code>BadRequest</Code>");
    expect(over).toContain("<Message>Object tags cannot be greater than 10</Message>");
    const header = await h.send("PUT", `/${B}/o2`, { body: "x", headers: { "x-amz-tagging": Array.from({ length: 11 }, (_, i) => `k${i}=v`).join("&") } });
    expect(await errorCode(header)).toBe("BadRequest");
    const longKey = `<Tagging><TagSet><Tag><Key>${"k".repeat(129)}</Key><Value>v</Value></Tag></TagSet></Tagging>`;
    expect(await errorCode(await h.send("PUT", `/${B}/o?tagging`, { body: longKey }))).toBe("InvalidTag");
  });

  test("CopyObject keeps the source's tags by default and ignores x-amz-tagging without REPLACE", async () => {
    await h.client.send(new PutObjectCommand({ Bucket: B, Key: "src", Body: "x", Tagging: "a=1" }));
    await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "dst", CopySource: `${B}/src`, Tagging: "b=2" }));
    expect((await h.client.send(new GetObjectTaggingCommand({ Bucket: B, Key: "dst" }))).TagSet).toEqual([{ Key: "a", Value: "1" }]);
  });
});
