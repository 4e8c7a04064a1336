/**
 * The ObjectLayer conformance suite: behaviour any implementation must show, run against each
 * drive layout (and any future implementation) by `registerObjectLayerSuite`.
 * Part 1: buckets, objects, ranges, conditions, versioning. Part 2 (more.suite.ts): listing,
 * multipart, copy, metadata, concurrency.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ObjectLayer } from "../../src/object/index";
import { body, bytes, collect, md5, meta, rejectsWith } from "./helpers";

export interface LayerFixture {
  layer: ObjectLayer;
  cleanup(): Promise<void>;
}
export type LayerFactory = () => Promise<LayerFixture>;

export function registerObjectLayerSuite(name: string, make: LayerFactory): void {
  describe(`${name}: buckets and objects`, () => {
    let fx: LayerFixture;
    let L: ObjectLayer;
    beforeAll(async () => {
      fx = await make();
      L = fx.layer;
      await L.makeBucket("bkt");
    });
    afterAll(() => fx.cleanup());
    const put = (key: string, data: Uint8Array, extra: Partial<Parameters<ObjectLayer["putObject"]>[3]> = {}) =>
      L.putObject("bkt", key, body(data), { size: data.length, metadata: meta(), versioning: "unversioned", ...extra });

    test("buckets: create, exists, list, invalid name, info", async () => {
      await L.makeBucket("other");
      await rejectsWith(L.makeBucket("other"), "BucketExists");
      await rejectsWith(L.makeBucket("Bad_Name"), "InvalidBucketName");
      const names = (await L.listBuckets()).map((b) => b.name);
      expect(names).toContain("bkt");
      expect(names).toContain("other");
      expect((await L.getBucketInfo("other")).name).toBe("other");
      await L.deleteBucket("other");
      await rejectsWith(L.getBucketInfo("other"), "BucketNotFound");
      await rejectsWith(L.deleteBucket("other"), "BucketNotFound");
    });

    test("bucket config blobs round-trip and delete", async () => {
      expect(await L.getBucketConfig("bkt", "policy")).toBeNull();
      await L.setBucketConfig("bkt", "policy", new TextEncoder().encode("{}"));
      expect(new TextDecoder().decode((await L.getBucketConfig("bkt", "policy"))!)).toBe("{}");
      await L.setBucketConfig("bkt", "policy", null);
      expect(await L.getBucketConfig("bkt", "policy")).toBeNull();
      await rejectsWith(L.getBucketConfig("nope-bucket", "policy"), "BucketNotFound");
    });

    test("deleteBucket refuses a non-empty bucket", async () => {
      await L.makeBucket("full");
      await L.putObject("full", "x", body(bytes(3)), { size: 3, metadata: meta(), versioning: "unversioned" });
      await rejectsWith(L.deleteBucket("full"), "BucketNotEmpty");
      await L.deleteObject("full", "x", { versioning: "unversioned" });
      await L.newMultipartUpload("full", "pending", { metadata: meta() });
      await L.deleteBucket("full");
      await L.makeBucket("full");
      expect((await L.listMultipartUploads("full")).uploads).toEqual([]);
      await L.deleteBucket("full");
    });

    for (const size of [0, 1, 100 * 1024, 128 * 1024 + 1, 1 << 20, 2.5 * (1 << 20) + 3]) {
      test(`put/get round-trip of ${size} bytes keeps bytes, ETag and metadata`, async () => {
        const data = bytes(size, size + 1);
        const m = meta({ color: "blue" }, { contentType: "text/plain", cacheControl: "no-cache" });
        const info = await L.putObject("bkt", `rt/${size}`, body(data), { size, metadata: m, versioning: "unversioned" });
        expect(info.etag).toBe(md5(data));
        expect(info.size).toBe(size);
        const got = await L.getObject("bkt", `rt/${size}`);
        expect(md5(await collect(got.body))).toBe(md5(data));
        expect(got.info.metadata.user).toEqual({ color: "blue" });
        expect(got.info.metadata.contentType).toBe("text/plain");
        expect(got.info.metadata.cacheControl).toBe("no-cache");
        const st = await L.statObject("bkt", `rt/${size}`);
        expect(st.etag).toBe(md5(data));
        expect(st.isLatest).toBe(true);
      });
    }

    test("unknown size (-1) is accepted and measured", async () => {
      const data = bytes(300_000, 4);
      const info = await L.putObject("bkt", "unsized", body(data), { size: -1, metadata: meta(), versioning: "unversioned" });
      expect(info.size).toBe(300_000);
      expect(md5(await collect((await L.getObject("bkt", "unsized")).body))).toBe(md5(data));
    });

    test("ranges: within a block, across blocks, suffix, open end; InvalidRange", async () => {
      const data = bytes(3 * (1 << 20) + 100, 9);
      await put("ranged", data);
      const cases: [Parameters<ObjectLayer["getObject"]>[2], number, number][] = [
        [{ range: { type: "from", start: 10, end: 20 } }, 10, 20],
        [{ range: { type: "from", start: (1 << 20) - 5, end: (1 << 20) + 5 } }, (1 << 20) - 5, (1 << 20) + 5],
        [{ range: { type: "suffix", length: 150 } }, data.length - 150, data.length - 1],
        [{ range: { type: "from", start: 2 * (1 << 20) } }, 2 * (1 << 20), data.length - 1],
      ];
      for (const [opts, start, end] of cases) {
        const got = await L.getObject("bkt", "ranged", opts);
        expect(got.range).toEqual({ start, end });
        const back = await collect(got.body);
        expect(Buffer.from(back).equals(Buffer.from(data.subarray(start, end + 1)))).toBe(true);
      }
      await rejectsWith(L.getObject("bkt", "ranged", { range: { type: "from", start: data.length } }), "InvalidRange");
    });

    test("conditions: If-Match / If-None-Match on GET, conditional PUT", async () => {
      const data = bytes(1000, 2);
      const info = await put("cond", data);
      await rejectsWith(L.getObject("bkt", "cond", { conditions: { ifMatch: '"nope"' } }), "PreconditionFailed");
      await rejectsWith(L.statObject("bkt", "cond", { conditions: { ifNoneMatch: `"${info.etag}"` } }), "NotModified");
      const ok = await L.getObject("bkt", "cond", { conditions: { ifMatch: `"${info.etag}"` } });
      await collect(ok.body);
      await rejectsWith(put("cond", data, { ifNoneMatch: "*" }), "PreconditionFailed");
      await rejectsWith(put("cond", data, { ifMatch: '"bad"' }), "PreconditionFailed");
      await put("cond", bytes(5), { ifMatch: info.etag });
      expect((await L.statObject("bkt", "cond")).size).toBe(5);
      await put("cond-new", data, { ifNoneMatch: "*" });
    });

    test("missing objects and buckets; invalid keys", async () => {
      await rejectsWith(L.getObject("bkt", "no/such/key"), "ObjectNotFound");
      await rejectsWith(L.statObject("bkt", "no/such/key"), "ObjectNotFound");
      await rejectsWith(L.getObject("no-such-bucket", "k"), "BucketNotFound");
      await rejectsWith(put("", bytes(1)), "InvalidObjectName");
      await rejectsWith(put("a//b", bytes(1)), "InvalidObjectName");
      await rejectsWith(put("x".repeat(1025), bytes(1)), "KeyTooLong");
      await rejectsWith(L.putObject("no-such-bucket", "k", body(bytes(1)), { size: 1, metadata: meta(), versioning: "unversioned" }), "BucketNotFound");
    });

    test("IncompleteBody and BadDigest store nothing", async () => {
      await rejectsWith(put("short", bytes(10), { size: 11 }), "IncompleteBody");
      await rejectsWith(put("short", bytes(2_000_000), { size: 2_000_001 }), "IncompleteBody");
      await rejectsWith(put("short", bytes(10), { expectedMd5: "00".repeat(16) }), "BadDigest");
      await rejectsWith(L.statObject("bkt", "short"), "ObjectNotFound");
      await put("short", bytes(10), { expectedMd5: md5(bytes(10)) });
    });

    test("an error thrown by the body stream propagates unchanged and stores nothing", async () => {
      class SignatureMismatch extends Error {}
      const boom = new SignatureMismatch("chunk signature mismatch");
      let sent = 0;
      const failing = new ReadableStream<Uint8Array>({
        pull(ctrl) {
          if (sent >= 3) return ctrl.error(boom);
          sent++;
          ctrl.enqueue(bytes(1 << 20, sent));
        },
      });
      let caught: unknown;
      await L.putObject("bkt", "failing", failing, { size: -1, metadata: meta(), versioning: "unversioned" }).catch((e) => (caught = e));
      expect(caught).toBe(boom);
      await rejectsWith(L.statObject("bkt", "failing"), "ObjectNotFound");
    });

    test("overwrite replaces; `a` and `a/b` are both objects; delete", async () => {
      await put("a", bytes(10, 1));
      await put("a/b", bytes(20, 2));
      await put("a", bytes(30, 3));
      expect((await L.statObject("bkt", "a")).size).toBe(30);
      expect((await L.statObject("bkt", "a/b")).size).toBe(20);
      const r = await L.deleteObject("bkt", "a", { versioning: "unversioned" });
      expect(r.deleteMarker).toBe(false);
      await rejectsWith(L.statObject("bkt", "a"), "ObjectNotFound");
      expect((await L.statObject("bkt", "a/b")).size).toBe(20);
      await L.deleteObject("bkt", "never-existed", { versioning: "unversioned" });
    });

    test("a small object read over and over follows every overwrite, whole and ranged", async () => {
      for (let round = 1; round <= 4; round++) {
        const data = bytes(4096, 40 + round);
        await put("hot", data);
        for (let i = 0; i < 3; i++) expect(await collect((await L.getObject("bkt", "hot")).body)).toEqual(data);
        const part = await L.getObject("bkt", "hot", { range: { type: "from", start: 100, end: 199 } });
        expect(await collect(part.body)).toEqual(data.subarray(100, 200));
        expect((await L.statObject("bkt", "hot")).etag).toBe(md5(data));
      }
    });
  });

  describe(`${name}: versioning`, () => {
    let fx: LayerFixture;
    let L: ObjectLayer;
    beforeAll(async () => {
      fx = await make();
      L = fx.layer;
      await L.makeBucket("ver");
    });
    afterAll(() => fx.cleanup());
    const putV = (key: string, data: Uint8Array, versioning: "enabled" | "suspended" | "unversioned") =>
      L.putObject("ver", key, body(data), { size: data.length, metadata: meta(), versioning });

    test("enabled: versions, get by id, delete marker, MethodNotAllowed, delete version", async () => {
      const v1 = await putV("doc", bytes(200_000, 1), "enabled");
      const v2 = await putV("doc", bytes(1_500_000, 2), "enabled");
      expect(v1.versionId).not.toBeNull();
      expect(v2.versionId).not.toBe(v1.versionId);
      const old = await L.getObject("ver", "doc", { versionId: v1.versionId! });
      expect(md5(await collect(old.body))).toBe(md5(bytes(200_000, 1)));
      expect(old.info.isLatest).toBe(false);
      const dm = await L.deleteObject("ver", "doc", { versioning: "enabled" });
      expect(dm.deleteMarker).toBe(true);
      await rejectsWith(L.getObject("ver", "doc"), "ObjectNotFound");
      await rejectsWith(L.getObject("ver", "doc", { versionId: dm.versionId! }), "MethodNotAllowed");
      await rejectsWith(L.getObject("ver", "doc", { versionId: "00000000-0000-7000-8000-000000000000" }), "VersionNotFound");
      const listed = await L.listObjectVersions("ver", { prefix: "doc" });
      expect(listed.versions.map((v) => v.versionId)).toEqual([dm.versionId, v2.versionId, v1.versionId]);
      expect(listed.versions.map((v) => v.isLatest)).toEqual([true, false, false]);
      expect(listed.versions[0]!.deleteMarker).toBe(true);
      await L.deleteObject("ver", "doc", { versioning: "enabled", versionId: dm.versionId! });
      expect((await L.statObject("ver", "doc")).versionId).toBe(v2.versionId);
      await L.deleteObject("ver", "doc", { versioning: "enabled", versionId: v2.versionId! });
      expect((await L.statObject("ver", "doc")).versionId).toBe(v1.versionId);
      await rejectsWith(L.getObject("ver", "doc", { versionId: v2.versionId! }), "VersionNotFound");
    });

    test("suspended: the null version is replaced; versioned ones stay", async () => {
      const v1 = await putV("s", bytes(10, 1), "enabled");
      await putV("s", bytes(2_000_000, 2), "suspended");
      await putV("s", bytes(30, 3), "suspended");
      const vs = (await L.listObjectVersions("ver", { prefix: "s" })).versions;
      expect(vs.map((v) => v.versionId)).toEqual([null, v1.versionId]);
      expect(vs[0]!.size).toBe(30);
      const got = await L.getObject("ver", "s", { versionId: "null" });
      expect(md5(await collect(got.body))).toBe(md5(bytes(30, 3)));
      const d = await L.deleteObject("ver", "s", { versioning: "suspended" });
      expect(d).toEqual({ versionId: null, deleteMarker: true });
      const after = (await L.listObjectVersions("ver", { prefix: "s" })).versions;
      expect(after.map((v) => [v.versionId, v.deleteMarker])).toEqual([[null, true], [v1.versionId, false]]);
    });

    test("version listing pages with key and version-id markers", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.unshift((await putV("p/one", bytes(5, i), "enabled")).versionId!);
      for (let i = 0; i < 2; i++) await putV("p/two", bytes(5, i), "enabled");
      const seen: string[] = [];
      let opts: { keyMarker?: string; versionIdMarker?: string } = {};
      for (let pages = 0; pages < 10; pages++) {
        const r = await L.listObjectVersions("ver", { prefix: "p/", maxKeys: 2, ...opts });
        seen.push(...r.versions.map((v) => `${v.key}@${v.versionId}`));
        if (!r.isTruncated) break;
        opts = { keyMarker: r.nextKeyMarker!, versionIdMarker: r.nextVersionIdMarker! };
      }
      expect(seen.length).toBe(5);
      expect(seen.slice(0, 3)).toEqual(ids.map((id) => `p/one@${id}`));
      expect(new Set(seen).size).toBe(5);
    });
  });
}
