/** sameVersion must agree with versionSignature equality: listings settle keys by it, heal and GET by signatures. */
import { describe, expect, test } from "bun:test";
import type { DeleteMarkerMeta, ObjectVersionMeta, VersionMeta } from "../xlmeta/index";
import { sameVersion, versionSignature } from "./meta-read";

const obj: ObjectVersionMeta = {
  type: "object",
  versionId: "v1",
  modTime: 1_764_000_000_000_000_000n,
  size: 10,
  etag: "e",
  storageClass: "STANDARD",
  meta: {},
  parts: [],
  erasure: { algorithm: "isa_l_rs_vand", dataBlocks: 2, parityBlocks: 2, blockSize: 1 << 20, index: 1, distribution: [1, 2, 3, 4], bitrot: "xxh3-64" },
  dataDir: "dd",
  inline: false,
};
const marker: DeleteMarkerMeta = { type: "deleteMarker", versionId: "v1", modTime: obj.modTime };

describe("sameVersion", () => {
  const variants: [string, VersionMeta][] = [
    ["the same", { ...obj }],
    ["another drive's erasure index", { ...obj, erasure: { ...obj.erasure, index: 3 } }],
    ["versionId", { ...obj, versionId: "v2" }],
    ["null version", { ...obj, versionId: null }],
    ["modTime", { ...obj, modTime: obj.modTime + 1n }],
    ["dataDir", { ...obj, dataDir: null }],
    ["etag", { ...obj, etag: "f" }],
    ["size", { ...obj, size: 11 }],
    ["a delete marker", marker],
    ["a later delete marker", { ...marker, modTime: marker.modTime + 1n }],
    ["the null delete marker", { ...marker, versionId: null }],
  ];
  for (const [name, b] of variants) {
    test(`agrees with versionSignature against ${name}`, () => {
      for (const a of [obj, marker, { ...obj, versionId: null } as VersionMeta]) {
        expect(sameVersion(a, b)).toBe(versionSignature(a) === versionSignature(b));
        expect(sameVersion(b, a)).toBe(versionSignature(b) === versionSignature(a));
      }
    });
  }
  test("tells different versions apart and matches copies", () => {
    expect(sameVersion(obj, { ...obj, erasure: { ...obj.erasure, index: 4 } })).toBe(true);
    expect(sameVersion(obj, { ...obj, etag: "x" })).toBe(false);
    expect(sameVersion(obj, marker)).toBe(false);
  });
});
