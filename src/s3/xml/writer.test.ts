/** XmlWriter must write what the value-tree builder writes for the same shape (listings moved to it). */
import { describe, expect, test } from "bun:test";
import { buildXml } from "./builder";
import { XmlWriter } from "./writer";

describe("XmlWriter", () => {
  test("escapes and omits as buildXml does: markup, quotes, control characters, numbers, booleans, undefined", () => {
    const key = `a&b<c>'"\r\x01é✓`;
    const fromTree = buildXml("ListBucketResult", {
      Name: "bkt",
      Marker: "",
      Delimiter: undefined,
      IsTruncated: false,
      Contents: [
        { Key: key, Size: 0, Owner: { ID: "id", DisplayName: "me" } },
        { Key: "k2", Size: 12 },
      ],
    });
    const w = new XmlWriter("ListBucketResult").leaf("Name", "bkt").leaf("Marker", "").leaf("Delimiter", undefined).leaf("IsTruncated", false);
    w.element("Contents", () => w.leaf("Key", key).leaf("Size", 0).element("Owner", () => w.leaf("ID", "id").leaf("DisplayName", "me")));
    w.element("Contents", () => w.leaf("Key", "k2").leaf("Size", 12));
    const written = w.end();
    expect(written).toBe(fromTree);
    expect(written).toContain("<Key>a&amp;b&lt;c&gt;&apos;&quot;&#13;&#1;é✓</Key>");
    expect(written).not.toContain("Delimiter");
  });

  test("quotedLeaf writes what leaf writes for the quoted value, escapes inside the quotes included", () => {
    for (const etag of ["d41d8cd98f00b204e9800998ecf8427e", "0123abcd-17", "", `odd"&<\x01`]) {
      const byLeaf = new XmlWriter("R").leaf("ETag", `"${etag}"`).end();
      const byQuoted = new XmlWriter("R").quotedLeaf("ETag", etag).end();
      expect(byQuoted).toBe(byLeaf);
      expect(byQuoted).toBe(buildXml("R", { ETag: `"${etag}"` }));
    }
    expect(new XmlWriter("R").quotedLeaf("ETag", "abc").end()).toContain("<ETag>&quot;abc&quot;</ETag>");
  });
});
