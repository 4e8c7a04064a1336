/** Bucket operations through the AWS SDK against the real erasure layer. */
import { describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { errorCode, sdkError, harnessForFile } from "./harness";

// Erasure-coded writes of a few MiB take seconds on a loaded 2-core machine; nothing here is timed.
setDefaultTimeout(120_000);

const h = harnessForFile();


describe("buckets", () => {
  test("create, list, head, location, delete", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "alpha-bucket" }));
    await h.client.send(new CreateBucketCommand({ Bucket: "beta-bucket" }));
    const list = await h.client.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toEqual(expect.arrayContaining(["alpha-bucket", "beta-bucket"]));
    expect(list.Buckets?.every((b) => b.CreationDate instanceof Date)).toBe(true);
    expect(list.Owner?.ID).toBeTruthy();
    const head = await h.client.send(new HeadBucketCommand({ Bucket: "alpha-bucket" }));
    expect(head.$metadata.httpStatusCode).toBe(200);
    const loc = await h.client.send(new GetBucketLocationCommand({ Bucket: "alpha-bucket" }));
    expect(loc.LocationConstraint ?? "").toBe("");
    await h.client.send(new DeleteBucketCommand({ Bucket: "beta-bucket" }));
    const after = await h.client.send(new ListBucketsCommand({}));
    expect(after.Buckets?.map((b) => b.Name)).not.toContain("beta-bucket");
  });

  test("creating an existing bucket is BucketAlreadyOwnedByYou (409)", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "twice-bucket" }));
    expect(await sdkError(h.client.send(new CreateBucketCommand({ Bucket: "twice-bucket" })))).toEqual({
      name: "BucketAlreadyOwnedByYou",
      status: 409,
    });
  });

  test("invalid names are InvalidBucketName (400)", async () => {
    for (const name of ["ab", "Upper-Case", "under_score", "192.168.1.1", "-dash"]) {
      const res = await h.send("PUT", `/${name}`);
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe("InvalidBucketName");
    }
  });

  test("LocationConstraint body: our region accepted, another rejected, garbage is MalformedXML", async () => {
    const ok = await h.send("PUT", "/located-bucket", {
      body: "<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>",
    });
    expect(ok.status).toBe(200);
    const other = await h.send("PUT", "/elsewhere-bucket", {
      body: "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>",
    });
    expect(await errorCode(other)).toBe("IllegalLocationConstraintException");
    const bad = await h.send("PUT", "/garbage-bucket", { body: "<CreateBucketConfiguration>" });
    expect(await errorCode(bad)).toBe("MalformedXML");
  });

  test("missing bucket: HEAD 404 (code in header), DELETE NoSuchBucket", async () => {
    expect(await sdkError(h.client.send(new HeadBucketCommand({ Bucket: "no-such-bucket" })))).toEqual({ name: "NotFound", status: 404 });
    const head = await h.send("HEAD", "/no-such-bucket");
    expect(head.headers.get("x-amz-error-code")).toBe("NoSuchBucket");
    expect(await sdkError(h.client.send(new DeleteBucketCommand({ Bucket: "no-such-bucket" })))).toEqual({ name: "NoSuchBucket", status: 404 });
  });

  test("deleting a non-empty bucket is BucketNotEmpty (409)", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "full-bucket" }));
    await h.client.send(new PutObjectCommand({ Bucket: "full-bucket", Key: "k", Body: "x" }));
    expect(await sdkError(h.client.send(new DeleteBucketCommand({ Bucket: "full-bucket" })))).toEqual({ name: "BucketNotEmpty", status: 409 });
  });

  test("versioning: unset, Enabled, Suspended; bad status is MalformedXML", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "ver-bucket" }));
    expect((await h.client.send(new GetBucketVersioningCommand({ Bucket: "ver-bucket" }))).Status).toBeUndefined();
    await h.client.send(new PutBucketVersioningCommand({ Bucket: "ver-bucket", VersioningConfiguration: { Status: "Enabled" } }));
    expect((await h.client.send(new GetBucketVersioningCommand({ Bucket: "ver-bucket" }))).Status).toBe("Enabled");
    await h.client.send(new PutBucketVersioningCommand({ Bucket: "ver-bucket", VersioningConfiguration: { Status: "Suspended" } }));
    expect((await h.client.send(new GetBucketVersioningCommand({ Bucket: "ver-bucket" }))).Status).toBe("Suspended");
    const bad = await h.send("PUT", "/ver-bucket?versioning", {
      body: "<VersioningConfiguration><Status>Maybe</Status></VersioningConfiguration>",
    });
    expect(await errorCode(bad)).toBe("MalformedXML");
  });
});
