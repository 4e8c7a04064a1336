/** ObjectLayer conformance, part 2: listing, multipart, copy, metadata, concurrency. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ObjectLayer } from "../../src/object/index";
import { body, bytes, collect, md5, meta, rejectsWith } from "./helpers";
import type { LayerFactory, LayerFixture } from "./object-layer.suite";

export function registerMoreSuite(name: string, make: LayerFactory): void {
  describe(`${name}: listing, multipart, copy`, () => {
    let fx: LayerFixture;
    let L: ObjectLayer;
    beforeAll(async () => {
      fx = await make();
      L = fx.layer;
      await L.makeBucket("lst");
    });
    afterAll(() => fx.cleanup());
    const put = (key: string, data: Uint8Array, versioning: "enabled" | "unversioned" = "unversioned") =>
      L.putObject("lst", key, body(data), { size: data.length, metadata: meta(), versioning });

    test("listing: prefix, delimiter, common prefixes, markers, maxKeys paging", async () => {
      const keys = ["a.txt", "b/1", "b/2", "b/c/3", "c-1", "c/4", "d", "0123"];
      for (const k of keys) await put(`l/${k}`, bytes(3));
      const all = await L.listObjects("lst", { prefix: "l/" });
      expect(all.objects.map((o) => o.key)).toEqual(["l/0123", "l/a.txt", "l/b/1", "l/b/2", "l/b/c/3", "l/c-1", "l/c/4", "l/d"]);
      expect(all.isTruncated).toBe(false);
      const delim = await L.listObjects("lst", { prefix: "l/", delimiter: "/" });
      expect(delim.objects.map((o) => o.key)).toEqual(["l/0123", "l/a.txt", "l/c-1", "l/d"]);
      expect(delim.prefixes).toEqual(["l/b/", "l/c/"]);
      const seen: string[] = [];
      let marker: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await L.listObjects("lst", { prefix: "l/", delimiter: "/", maxKeys: 2, ...(marker ? { marker } : {}) });
        seen.push(...page.objects.map((o) => o.key), ...page.prefixes);
        if (!page.isTruncated) break;
        marker = page.nextMarker;
      }
      expect(seen.sort()).toEqual(["l/0123", "l/a.txt", "l/b/", "l/c-1", "l/c/", "l/d"]);
      const after = await L.listObjects("lst", { prefix: "l/", marker: "l/b/2" });
      expect(after.objects.map((o) => o.key)).toEqual(["l/b/c/3", "l/c-1", "l/c/4", "l/d"]);
      expect((await L.listObjects("lst", { prefix: "zzz" })).objects).toEqual([]);
    });

    test("delimiter listing jumps over a big common prefix correctly", async () => {
      for (let i = 0; i < 40; i++) await put(`l2/big/${String(i).padStart(2, "0")}`, bytes(1));
      for (const k of ["l2/a", "l2/big0", "l2/big.txt", "l2/z"]) await put(k, bytes(1));
      const r = await L.listObjects("lst", { prefix: "l2/", delimiter: "/" });
      expect(r.objects.map((o) => o.key)).toEqual(["l2/a", "l2/big.txt", "l2/big0", "l2/z"]);
      expect(r.prefixes).toEqual(["l2/big/"]);
      const page1 = await L.listObjects("lst", { prefix: "l2/", delimiter: "/", maxKeys: 2 });
      expect([...page1.objects.map((o) => o.key), ...page1.prefixes]).toEqual(["l2/a", "l2/big.txt"]);
      const page2 = await L.listObjects("lst", { prefix: "l2/", delimiter: "/", maxKeys: 2, marker: page1.nextMarker! });
      expect(page2.prefixes).toEqual(["l2/big/"]);
      expect(page2.objects.map((o) => o.key)).toEqual(["l2/big0"]);
      const page3 = await L.listObjects("lst", { prefix: "l2/", delimiter: "/", marker: page2.nextMarker! });
      expect(page3.objects.map((o) => o.key)).toEqual(["l2/z"]);
      const inner = await L.listObjects("lst", { prefix: "l2/big/", maxKeys: 1000 });
      expect(inner.objects).toHaveLength(40);
      const versions = await L.listObjectVersions("lst", { prefix: "l2/", delimiter: "/" });
      expect(versions.prefixes).toEqual(["l2/big/"]);
      expect(versions.versions.map((v) => v.key)).toEqual(["l2/a", "l2/big.txt", "l2/big0", "l2/z"]);
    });

    test("folder markers (`dir/`, 0 bytes) are objects and list under their prefix", async () => {
      await put("f/photos/", bytes(0));
      await put("f/photos/cat.jpg", bytes(10));
      expect((await L.statObject("lst", "f/photos/")).size).toBe(0);
      const top = await L.listObjects("lst", { prefix: "f/", delimiter: "/" });
      expect(top.prefixes).toEqual(["f/photos/"]);
      expect(top.objects).toEqual([]);
      const inner = await L.listObjects("lst", { prefix: "f/photos/", delimiter: "/" });
      expect(inner.objects.map((o) => o.key)).toEqual(["f/photos/", "f/photos/cat.jpg"]);
      await L.deleteObject("lst", "f/photos/", { versioning: "unversioned" });
      expect((await L.statObject("lst", "f/photos/cat.jpg")).size).toBe(10);
    });

    test("listing hides keys whose latest version is a delete marker", async () => {
      await put("h/live", bytes(1), "enabled");
      await put("h/gone", bytes(1), "enabled");
      await L.deleteObject("lst", "h/gone", { versioning: "enabled" });
      expect((await L.listObjects("lst", { prefix: "h/" })).objects.map((o) => o.key)).toEqual(["h/live"]);
      const vs = await L.listObjectVersions("lst", { prefix: "h/" });
      expect(vs.versions.map((v) => `${v.key}:${v.deleteMarker}`)).toEqual(["h/gone:true", "h/gone:false", "h/live:false"]);
    });

    test("multipart: upload, list parts, list uploads, complete, ETag, partNumber reads", async () => {
      const p1 = bytes(5 * 1024 * 1024, 1);
      const p2 = bytes(1234, 2);
      const id = await L.newMultipartUpload("lst", "mp/obj", { metadata: meta({ x: "y" }, { contentType: "a/b" }) });
      const other = await L.newMultipartUpload("lst", "mp/other", { metadata: meta() });
      const r1 = await L.putObjectPart("lst", "mp/obj", id, 1, body(p1), { size: p1.length });
      const r2 = await L.putObjectPart("lst", "mp/obj", id, 2, body(p2), { size: p2.length });
      expect(r1.etag).toBe(md5(p1));
      const parts = await L.listObjectParts("lst", "mp/obj", id);
      expect(parts.parts.map((p) => [p.partNumber, p.size, p.etag])).toEqual([[1, p1.length, r1.etag], [2, p2.length, r2.etag]]);
      const ups = await L.listMultipartUploads("lst", { prefix: "mp/" });
      expect(ups.uploads.map((u) => [u.key, u.uploadId])).toEqual([["mp/obj", id], ["mp/other", other]]);
      const info = await L.completeMultipartUpload("lst", "mp/obj", id, [{ partNumber: 1, etag: `"${r1.etag}"` }, { partNumber: 2, etag: r2.etag }], { versioning: "unversioned" });
      const h = new Bun.CryptoHasher("md5");
      h.update(Buffer.from(r1.etag, "hex"));
      h.update(Buffer.from(r2.etag, "hex"));
      expect(info.etag).toBe(`${h.digest("hex")}-2`);
      const got = await L.getObject("lst", "mp/obj");
      const all = await collect(got.body);
      expect(all.length).toBe(p1.length + p2.length);
      expect(md5(all)).toBe(md5(Buffer.concat([p1, p2])));
      expect(got.info.metadata.user).toEqual({ x: "y" });
      const part2 = await L.getObject("lst", "mp/obj", { partNumber: 2 });
      expect(md5(await collect(part2.body))).toBe(md5(p2));
      expect(part2.range).toEqual({ start: p1.length, end: p1.length + p2.length - 1 });
      const across = await L.getObject("lst", "mp/obj", { range: { type: "from", start: p1.length - 10, end: p1.length + 9 } });
      expect(Buffer.from(await collect(across.body)).equals(Buffer.concat([p1.subarray(-10), p2.subarray(0, 10)]))).toBe(true);
      await rejectsWith(L.listObjectParts("lst", "mp/obj", id), "UploadNotFound");
      await L.abortMultipartUpload("lst", "mp/other", other);
      await rejectsWith(L.abortMultipartUpload("lst", "mp/other", other), "UploadNotFound");
      expect((await L.listMultipartUploads("lst")).uploads).toEqual([]);
    });

    test("multipart upload listing: prefix, delimiter, key and upload-id markers", async () => {
      const ids: string[] = [];
      for (const k of ["up/a", "up/a", "up/b", "up/dir/x", "up/dir/y"]) ids.push(await L.newMultipartUpload("lst", k, { metadata: meta() }));
      const all = await L.listMultipartUploads("lst", { prefix: "up/" });
      expect(all.uploads.map((u) => u.key)).toEqual(["up/a", "up/a", "up/b", "up/dir/x", "up/dir/y"]);
      expect(all.uploads.slice(0, 2).map((u) => u.uploadId).sort()).toEqual(ids.slice(0, 2).sort());
      const delim = await L.listMultipartUploads("lst", { prefix: "up/", delimiter: "/" });
      expect(delim.uploads.map((u) => u.key)).toEqual(["up/a", "up/a", "up/b"]);
      expect(delim.prefixes).toEqual(["up/dir/"]);
      const p1 = await L.listMultipartUploads("lst", { prefix: "up/", maxUploads: 1 });
      expect(p1.isTruncated).toBe(true);
      const p2 = await L.listMultipartUploads("lst", { prefix: "up/", keyMarker: p1.nextKeyMarker!, uploadIdMarker: p1.nextUploadIdMarker! });
      expect(p2.uploads.map((u) => u.uploadId)).toEqual(all.uploads.slice(1).map((u) => u.uploadId));
      const afterKey = await L.listMultipartUploads("lst", { prefix: "up/", keyMarker: "up/a" });
      expect(afterKey.uploads.map((u) => u.key)).toEqual(["up/b", "up/dir/x", "up/dir/y"]);
      for (const u of all.uploads) await L.abortMultipartUpload("lst", u.key, u.uploadId);
    });

    test("multipart errors: EntityTooSmall, InvalidPart, InvalidPartOrder, part number range", async () => {
      const id = await L.newMultipartUpload("lst", "mp/bad", { metadata: meta() });
      const a = await L.putObjectPart("lst", "mp/bad", id, 1, body(bytes(100)), { size: 100 });
      const b = await L.putObjectPart("lst", "mp/bad", id, 2, body(bytes(100)), { size: 100 });
      const v = { versioning: "unversioned" as const };
      await rejectsWith(L.completeMultipartUpload("lst", "mp/bad", id, [{ partNumber: 1, etag: a.etag }, { partNumber: 2, etag: b.etag }], v), "EntityTooSmall");
      await rejectsWith(L.completeMultipartUpload("lst", "mp/bad", id, [{ partNumber: 2, etag: b.etag }, { partNumber: 1, etag: a.etag }], v), "InvalidPartOrder");
      await rejectsWith(L.completeMultipartUpload("lst", "mp/bad", id, [{ partNumber: 3, etag: a.etag }], v), "InvalidPart");
      await rejectsWith(L.completeMultipartUpload("lst", "mp/bad", id, [{ partNumber: 1, etag: "0".repeat(32) }], v), "InvalidPart");
      await rejectsWith(L.putObjectPart("lst", "mp/bad", id, 10001, body(bytes(1)), { size: 1 }), "InvalidArgument");
      await rejectsWith(L.putObjectPart("lst", "mp/bad", "no-such-upload", 1, body(bytes(1)), { size: 1 }), "UploadNotFound");
      // a re-uploaded part replaces the old one; a single small part completes
      const a2 = await L.putObjectPart("lst", "mp/bad", id, 1, body(bytes(50, 9)), { size: 50 });
      const done = await L.completeMultipartUpload("lst", "mp/bad", id, [{ partNumber: 1, etag: a2.etag }], v);
      expect(done.size).toBe(50);
      expect(md5(await collect((await L.getObject("lst", "mp/bad")).body))).toBe(md5(bytes(50, 9)));
    });

    test("copy: COPY keeps metadata, REPLACE sets it, self-copy REPLACE rewrites metadata only", async () => {
      const data = bytes(1_300_000, 5);
      await L.putObject("lst", "cp/src", body(data), { size: data.length, metadata: meta({ k: "v" }, { contentType: "x/y" }), versioning: "unversioned" });
      const c1 = await L.copyObject({ bucket: "lst", key: "cp/src" }, { bucket: "lst", key: "cp/dst" }, { metadataDirective: "COPY", versioning: "unversioned" });
      expect(c1.etag).toBe(md5(data));
      const g1 = await L.getObject("lst", "cp/dst");
      expect(md5(await collect(g1.body))).toBe(md5(data));
      expect(g1.info.metadata.user).toEqual({ k: "v" });
      const c2 = await L.copyObject({ bucket: "lst", key: "cp/src" }, { bucket: "lst", key: "cp/dst2" }, { metadataDirective: "REPLACE", metadata: meta({ n: "1" }), versioning: "unversioned" });
      expect(c2.metadata.user).toEqual({ n: "1" });
      await rejectsWith(L.copyObject({ bucket: "lst", key: "cp/src" }, { bucket: "lst", key: "cp/src" }, { metadataDirective: "COPY", versioning: "unversioned" }), "InvalidArgument");
      const self = await L.copyObject({ bucket: "lst", key: "cp/src" }, { bucket: "lst", key: "cp/src" }, { metadataDirective: "REPLACE", metadata: meta({ s: "2" }), versioning: "unversioned" });
      expect(self.metadata.user).toEqual({ s: "2" });
      const g2 = await L.getObject("lst", "cp/src");
      expect(g2.info.metadata.user).toEqual({ s: "2" });
      expect(md5(await collect(g2.body))).toBe(md5(data));
      await rejectsWith(L.copyObject({ bucket: "lst", key: "cp/none" }, { bucket: "lst", key: "cp/x" }, { metadataDirective: "COPY", versioning: "unversioned" }), "ObjectNotFound");
    });

    test("updateObjectMetadata patches system entries; deleteObjects reports per key", async () => {
      await put("md/a", bytes(100));
      await put("md/b", bytes(100));
      const up = await L.updateObjectMetadata("lst", "md/a", { tagging: "a=1&b=2" });
      expect(up.metadata.system).toEqual({ tagging: "a=1&b=2" });
      expect((await L.statObject("lst", "md/a")).metadata.system).toEqual({ tagging: "a=1&b=2" });
      await L.updateObjectMetadata("lst", "md/a", { tagging: null });
      expect((await L.statObject("lst", "md/a")).metadata.system ?? {}).toEqual({});
      expect(md5(await collect((await L.getObject("lst", "md/a")).body))).toBe(md5(bytes(100)));
      const res = await L.deleteObjects("lst", [{ key: "md/a" }, { key: "md/b" }, { key: "bad//key" }], { versioning: "unversioned" });
      expect(res.map((r) => [r.key, r.ok])).toEqual([["md/a", true], ["md/b", true], ["bad//key", false]]);
      await rejectsWith(L.statObject("lst", "md/a"), "ObjectNotFound");
    });

    test("concurrent writers are serialized and readers see a whole old or new object", async () => {
      const versions = [1, 2, 3, 4].map((s) => bytes(1_200_000, s));
      const sums = new Set(versions.map(md5));
      await put("cc", versions[0]!);
      const writers = versions.map((d) => put("cc", d));
      const readers = Array.from({ length: 8 }, async () => {
        const g = await L.getObject("lst", "cc");
        const back = await collect(g.body);
        expect(sums.has(md5(back))).toBe(true);
        expect(md5(back)).toBe(g.info.etag);
      });
      await Promise.all([...writers, ...readers]);
      const final = await L.getObject("lst", "cc");
      expect(md5(await collect(final.body))).toBe(final.info.etag);
    });

    test("heal of a healthy object changes nothing", async () => {
      await put("healthy", bytes(500_000));
      const r = await L.healObject("lst", "healthy");
      expect(r.objectsHealed).toBe(0);
      expect(r.drives.every((d) => d.before === "ok" && d.after === "ok")).toBe(true);
    });
  });
}
