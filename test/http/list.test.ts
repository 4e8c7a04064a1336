/** Listing semantics (V1, V2, versions) through the AWS SDK and raw requests. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { errorCode, harnessForFile } from "./harness";

// Erasure-coded writes of a few MiB take seconds on a loaded 2-core machine; nothing here is timed.
setDefaultTimeout(120_000);

const h = harnessForFile();
const B = "listing-bucket";
const KEYS = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d e/f.txt", "z+plus", "ü.txt"];

beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
  for (const Key of KEYS) await h.client.send(new PutObjectCommand({ Bucket: B, Key, Body: Key }));
});

describe("ListObjectsV2", () => {
  test("everything, sorted, with sizes and ETags", async () => {
    const r = await h.client.send(new ListObjectsV2Command({ Bucket: B }));
    expect(r.Contents?.map((c) => c.Key)).toEqual([...KEYS].sort());
    expect(r.KeyCount).toBe(KEYS.length);
    expect(r.IsTruncated).toBe(false);
    expect(r.Contents?.find((c) => c.Key === "a.txt")?.Size).toBe(5);
    expect(r.Contents?.[0]?.Owner).toBeUndefined();
  });

  test("prefix and delimiter give common prefixes", async () => {
    const r = await h.client.send(new ListObjectsV2Command({ Bucket: B, Delimiter: "/" }));
    expect(r.Contents?.map((c) => c.Key)).toEqual(["a.txt", "z+plus", "ü.txt"]);
    expect(r.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["b/", "d e/"]);
    expect(r.KeyCount).toBe(5);
    const sub = await h.client.send(new ListObjectsV2Command({ Bucket: B, Prefix: "b/", Delimiter: "/" }));
    expect(sub.Contents?.map((c) => c.Key)).toEqual(["b/1.txt", "b/2.txt"]);
    expect(sub.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["b/c/"]);
  });

  test("pagination with continuation tokens visits every key once", async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: h.client, pageSize: 2 }, { Bucket: B })) {
      pages++;
      expect(page.MaxKeys).toBe(2);
      for (const c of page.Contents ?? []) seen.push(c.Key!);
    }
    expect(seen).toEqual([...KEYS].sort());
    expect(pages).toBe(4);
  });

  test("start-after, fetch-owner, max-keys 0", async () => {
    const r = await h.client.send(new ListObjectsV2Command({ Bucket: B, StartAfter: "b/2.txt", FetchOwner: true }));
    expect(r.Contents?.[0]?.Key).toBe("b/c/3.txt");
    expect(r.StartAfter).toBe("b/2.txt");
    expect(r.Contents?.[0]?.Owner?.ID).toBeTruthy();
    const none = await h.client.send(new ListObjectsV2Command({ Bucket: B, MaxKeys: 0 }));
    expect(none.Contents ?? []).toEqual([]);
    expect(none.KeyCount).toBe(0);
  });

  test("encoding-type=url encodes keys (decoding gives the keys back)", async () => {
    const raw = await h.send("GET", `/${B}?list-type=2&encoding-type=url&prefix=d%20e`);
    const text = await raw.text();
    expect(text).toContain("<Key>d%20e/f.txt</Key>");
    expect(text).toContain("<EncodingType>url</EncodingType>");
    const r = await h.client.send(new ListObjectsV2Command({ Bucket: B, EncodingType: "url" }));
    // SDK v3 leaves decoding to the caller when it asked for url encoding.
    expect(r.Contents?.map((c) => decodeURIComponent(c.Key!))).toEqual([...KEYS].sort());
    const bad = await h.send("GET", `/${B}?list-type=2&encoding-type=base64`);
    expect(await errorCode(bad)).toBe("InvalidArgument");
  });

  test("a garbage continuation token is InvalidArgument; a missing bucket NoSuchBucket", async () => {
    expect(await errorCode(await h.send("GET", `/${B}?list-type=2&continuation-token=%21%21`))).toBe("InvalidArgument");
    expect(await errorCode(await h.send("GET", "/no-such-listing?list-type=2"))).toBe("NoSuchBucket");
    expect(await errorCode(await h.send("GET", `/${B}?list-type=2&max-keys=abc`))).toBe("InvalidArgument");
  });
});

describe("ListObjects (V1)", () => {
  test("marker pagination with NextMarker under a delimiter", async () => {
    const first = await h.client.send(new ListObjectsCommand({ Bucket: B, MaxKeys: 3 }));
    expect(first.Contents?.map((c) => c.Key)).toEqual([...KEYS].sort().slice(0, 3));
    expect(first.IsTruncated).toBe(true);
    const next = await h.client.send(new ListObjectsCommand({ Bucket: B, Marker: first.Contents![2]!.Key }));
    expect(next.Contents?.map((c) => c.Key)).toEqual([...KEYS].sort().slice(3));
    expect(next.Contents?.[0]?.Owner?.ID).toBeTruthy();
    const delim = await h.client.send(new ListObjectsCommand({ Bucket: B, Delimiter: "/", MaxKeys: 2 }));
    expect(delim.IsTruncated).toBe(true);
    expect(delim.NextMarker).toBeTruthy();
  });
});

describe("ListObjectVersions", () => {
  test("versions and delete markers with IsLatest", async () => {
    const VB = "listing-versions";
    await h.client.send(new CreateBucketCommand({ Bucket: VB }));
    await h.client.send(new PutBucketVersioningCommand({ Bucket: VB, VersioningConfiguration: { Status: "Enabled" } }));
    const v1 = await h.client.send(new PutObjectCommand({ Bucket: VB, Key: "k", Body: "1" }));
    const v2 = await h.client.send(new PutObjectCommand({ Bucket: VB, Key: "k", Body: "22" }));
    const dm = await h.client.send(new DeleteObjectCommand({ Bucket: VB, Key: "k" }));
    const r = await h.client.send(new ListObjectVersionsCommand({ Bucket: VB }));
    expect(r.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
      [v2.VersionId, false, 2],
      [v1.VersionId, false, 1],
    ]);
    expect(r.DeleteMarkers?.map((d) => [d.VersionId, d.IsLatest])).toEqual([[dm.VersionId, true]]);
    const listed = await h.client.send(new ListObjectsV2Command({ Bucket: VB }));
    expect(listed.Contents ?? []).toEqual([]);
    // One entry per page: key and version-id markers resume exactly after the last entry.
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r1 = await h.client.send(new ListObjectVersionsCommand({ Bucket: VB, MaxKeys: 1, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
      for (const v of [...(r1.Versions ?? []), ...(r1.DeleteMarkers ?? [])]) seen.push(v.VersionId!);
      if (!r1.IsTruncated) break;
      keyMarker = r1.NextKeyMarker;
      versionIdMarker = r1.NextVersionIdMarker;
    }
    expect(seen).toEqual([dm.VersionId!, v2.VersionId!, v1.VersionId!]);
  });

  test("an unversioned object lists with version id null", async () => {
    const r = await h.client.send(new ListObjectVersionsCommand({ Bucket: B, Prefix: "a.txt" }));
    expect(r.Versions?.map((v) => v.VersionId)).toEqual(["null"]);
    const bad = await h.send("GET", `/${B}?versions&version-id-marker=abc`);
    expect(await errorCode(bad)).toBe("InvalidArgument");
  });
});
