/** The AWS documentation's example request bodies parse into the shapes handlers expect. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseXml, schemas } from "../../src/s3/index";

const dir = join(import.meta.dir, "../fixtures/aws");
const read = (name: string) => Bun.file(join(dir, name)).text();

describe("AWS example request bodies", () => {
  test("DeleteObjects", async () => {
    expect(parseXml(await read("delete-objects.xml"), "Delete", schemas.deleteRequest)).toEqual({
      Object: [{ Key: "sample1.txt" }, { Key: "sample2.txt", VersionId: "OYcLXagmS.WaD..oyH4KRguB95_YhLs7" }],
    });
    expect(parseXml(await read("delete-objects-quiet.xml"), "Delete", schemas.deleteRequest)).toEqual({
      Quiet: "true",
      Object: [{ Key: "SampleDocument.txt", VersionId: "OYcLXagmS.WaD..oyH4KRguB95_YhLs7" }],
    });
  });

  test("CompleteMultipartUpload, with and without checksums", async () => {
    const r = parseXml(await read("complete-multipart-upload.xml"), "CompleteMultipartUpload", schemas.completeMultipartUpload);
    expect(r.Part.map((p) => p.PartNumber)).toEqual([1, 2, 3]);
    expect(r.Part[0]!.ETag).toBe('"a54357aff0632cce46d942af68356b38"');
    const c = parseXml(await read("complete-multipart-upload-checksums.xml"), "CompleteMultipartUpload", schemas.completeMultipartUpload);
    expect(c.Part).toEqual([{ PartNumber: 1, ETag: '"a54357aff0632cce46d942af68356b38"', ChecksumCRC32: "ZJMYVw==" }]);
  });

  test("Tagging (object and bucket)", async () => {
    expect(parseXml(await read("put-object-tagging.xml"), "Tagging", schemas.tagging).TagSet.Tag).toEqual([
      { Key: "tag1", Value: "val1" },
      { Key: "tag2", Value: "val2" },
    ]);
    expect(parseXml(await read("put-bucket-tagging.xml"), "Tagging", schemas.tagging).TagSet.Tag).toEqual([{ Key: "Project", Value: "Project One" }]);
  });

  test("VersioningConfiguration and CreateBucketConfiguration", async () => {
    expect(parseXml(await read("put-bucket-versioning.xml"), "VersioningConfiguration", schemas.versioningConfiguration)).toEqual({ Status: "Enabled" });
    expect(parseXml(await read("put-bucket-versioning-mfa.xml"), "VersioningConfiguration", schemas.versioningConfiguration)).toEqual({
      Status: "Suspended",
      MfaDelete: "Disabled",
    });
    expect(parseXml(await read("create-bucket-configuration.xml"), "CreateBucketConfiguration", schemas.createBucketConfiguration)).toEqual({
      LocationConstraint: "Europe",
    });
  });
});
