/** Versioned buckets: version ids on every object API, delete markers and what S3 says about them. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from "@aws-sdk/client-s3";
import { errorCode, harnessForFile } from "./harness";

setDefaultTimeout(120_000);

const B = "ver-bucket";
const h = harnessForFile();
beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
  await h.client.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: "Enabled" } }));
});

describe("delete markers", () => {
  test("GET/HEAD of a key whose latest version is a delete marker: 404 with x-amz-delete-marker and its version id", async () => {
    const v1 = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "dm", Body: "one" }));
    const del = await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "dm" }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toBeTruthy();
    for (const method of ["GET", "HEAD"]) {
      const res = await h.send(method, `/${B}/dm`);
      expect(res.status).toBe(404);
      expect(res.headers.get("x-amz-delete-marker")).toBe("true");
      expect(res.headers.get("x-amz-version-id")).toBe(del.VersionId!);
      if (method === "GET") expect(await errorCode(res)).toBe("NoSuchKey");
    }
    // Asking for the marker by id is 405; the old version is still there by id.
    const byId = await h.send("GET", `/${B}/dm?versionId=${del.VersionId}`);
    expect(byId.status).toBe(405);
    expect(byId.headers.get("x-amz-delete-marker")).toBe("true");
    expect(byId.headers.get("x-amz-version-id")).toBe(del.VersionId!);
    const old = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "dm", VersionId: v1.VersionId }));
    expect(await old.Body?.transformToString()).toBe("one");
    // Deleting the marker by id brings the object back and says it removed a marker.
    const undel = await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "dm", VersionId: del.VersionId }));
    expect(undel.DeleteMarker).toBe(true);
    expect(undel.VersionId).toBe(del.VersionId);
    const back = await h.client.send(new GetObjectCommand({ Bucket: B, Key: "dm" }));
    expect(await back.Body?.transformToString()).toBe("one");
  });

  test("a plain missing key carries no delete-marker header", async () => {
    const res = await h.send("GET", `/${B}/never-was`);
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amz-delete-marker")).toBeNull();
  });

  test("tagging addresses one version", async () => {
    const v1 = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "tv", Body: "1", Tagging: "gen=one" }));
    const v2 = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "tv", Body: "2", Tagging: "gen=two" }));
    await h.client.send(new PutObjectTaggingCommand({ Bucket: B, Key: "tv", VersionId: v1.VersionId, Tagging: { TagSet: [{ Key: "gen", Value: "first" }] } }));
    const t1 = await h.client.send(new GetObjectTaggingCommand({ Bucket: B, Key: "tv", VersionId: v1.VersionId }));
    const t2 = await h.client.send(new GetObjectTaggingCommand({ Bucket: B, Key: "tv" }));
    expect(t1.TagSet).toEqual([{ Key: "gen", Value: "first" }]);
    expect(t1.VersionId).toBe(v1.VersionId);
    expect(t2.TagSet).toEqual([{ Key: "gen", Value: "two" }]);
    expect(t2.VersionId).toBe(v2.VersionId);
  });
});
