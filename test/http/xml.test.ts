/** The XML traps DESIGN names, pinned: types, whitespace, single-element lists, hostile input. */
import { describe, expect, test } from "bun:test";
import { S3Error, buildXml, parseXml, schemas } from "../../src/s3/index";
import { readBodyBytes } from "../../src/s3/xml/index";

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e.code;
    throw e;
  }
  return undefined;
}

const del = (inner: string) => `<Delete>${inner}</Delete>`;

describe("parseXml traps", () => {
  test("<Key>0123</Key> stays the string \"0123\"", () => {
    const r = parseXml(del("<Object><Key>0123</Key></Object>"), "Delete", schemas.deleteRequest);
    expect(r.Object[0]!.Key).toBe("0123");
  });

  test("numbers, booleans and exponents are never converted", () => {
    const r = parseXml(del("<Object><Key>1e5</Key></Object><Object><Key>true</Key></Object><Object><Key>0x10</Key></Object>"), "Delete", schemas.deleteRequest);
    expect(r.Object.map((o) => o.Key)).toEqual(["1e5", "true", "0x10"]);
  });

  test("<Key> a </Key> keeps its spaces", () => {
    const r = parseXml(del("<Object><Key> a </Key></Object>"), "Delete", schemas.deleteRequest);
    expect(r.Object[0]!.Key).toBe(" a ");
  });

  test("a single <Part> is an array", () => {
    const r = parseXml(
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag></Part></CompleteMultipartUpload>',
      "CompleteMultipartUpload",
      schemas.completeMultipartUpload,
    );
    expect(Array.isArray(r.Part)).toBe(true);
    expect(r.Part).toEqual([{ PartNumber: 1, ETag: '"abc"' }]);
  });

  test("a single <Tag> is an array and an empty <TagSet/> is no tags", () => {
    const one = parseXml("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>", "Tagging", schemas.tagging);
    expect(one.TagSet.Tag).toEqual([{ Key: "k", Value: "v" }]);
    const none = parseXml("<Tagging><TagSet/></Tagging>", "Tagging", schemas.tagging);
    expect(none.TagSet.Tag).toEqual([]);
  });

  test("pretty-printed documents with a declaration and namespace parse", () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Quiet>true</Quiet>
  <Object>
    <Key>sample1.txt</Key>
    <VersionId>OYcLXagmS.WaD..oyH4KRguB95_YhLs7</VersionId>
  </Object>
  <Object>
    <Key>sample2.txt</Key>
  </Object>
</Delete>`;
    const r = parseXml(text, "Delete", schemas.deleteRequest);
    expect(r.Quiet).toBe("true");
    expect(r.Object).toEqual([{ Key: "sample1.txt", VersionId: "OYcLXagmS.WaD..oyH4KRguB95_YhLs7" }, { Key: "sample2.txt" }]);
  });

  test("entities decode once: &amp;#65; is the text &#65;, &#65; is A, &#13; is CR", () => {
    const r = parseXml(del("<Object><Key>&amp;#65;|&#65;|&#x41;|&#13;|&lt;&gt;&quot;&apos;</Key></Object>"), "Delete", schemas.deleteRequest);
    expect(r.Object[0]!.Key).toBe("&#65;|A|A|\r|<>\"'");
  });

  test("CDATA is literal", () => {
    const r = parseXml(del("<Object><Key><![CDATA[a&amp;<b>]]></Key></Object>"), "Delete", schemas.deleteRequest);
    expect(r.Object[0]!.Key).toBe("a&amp;<b>");
  });
});

describe("parseXml rejects hostile or wrong input as MalformedXML", () => {
  const cases: [string, string][] = [
    ["DOCTYPE", '<!DOCTYPE Delete [<!ENTITY x "y">]><Delete><Object><Key>&x;</Key></Object></Delete>'],
    ["billion laughs", '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Delete><Object><Key>&lol2;</Key></Object></Delete>'],
    ["lower-case doctype", "<!doctype Delete><Delete><Object><Key>a</Key></Object></Delete>"],
    ["not XML", "garbage"],
    ["empty", ""],
    ["unclosed", "<Delete><Object><Key>a</Key></Object>"],
    ["mismatched tags", "<Delete><Object><Key>a</Object></Key></Delete>"],
    ["wrong root", "<Remove><Object><Key>a</Key></Object></Remove>"],
    ["two roots", "<Delete><Object><Key>a</Key></Object></Delete><Delete/>"],
    ["missing required", "<Delete><Quiet>true</Quiet></Delete>"],
    ["element where text is expected", "<Delete><Object><Key><a/></Key></Object></Delete>"],
    ["too deep", `<Delete>${"<Object>".repeat(40)}${"</Object>".repeat(40)}</Delete>`],
  ];
  for (const [name, text] of cases) {
    test(name, () => {
      expect(code(() => parseXml(text, "Delete", schemas.deleteRequest))).toBe("MalformedXML");
    });
  }

  test("part numbers must be digits", () => {
    const text = "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>";
    expect(code(() => parseXml(text, "CompleteMultipartUpload", schemas.completeMultipartUpload))).toBe("MalformedXML");
  });

  test("versioning status outside Enabled|Suspended", () => {
    const text = "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>";
    expect(code(() => parseXml(text, "VersioningConfiguration", schemas.versioningConfiguration))).toBe("MalformedXML");
  });
});

describe("readBodyBytes", () => {
  test("stops at the limit without reading the rest", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const err = await readBodyBytes(stream, 256 * 1024).catch((e) => e);
    expect(err).toBeInstanceOf(S3Error);
    expect((err as S3Error).code).toBe("MalformedXML");
    expect(pulled).toBeLessThan(10);
  });

  test("returns the bytes of a small body", async () => {
    const bytes = await readBodyBytes(new Response("<a/>").body, 1024);
    expect(new TextDecoder().decode(bytes)).toBe("<a/>");
  });
});

describe("buildXml", () => {
  test("escapes markup and writes control characters as references", () => {
    const out = buildXml("ListBucketResult", { Name: "b", Contents: [{ Key: "a<&>\"'b" }, { Key: "cr\rlf\n" }] });
    expect(out).toStartWith('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect(out).toContain("<Key>a&lt;&amp;&gt;&quot;&apos;b</Key>");
    expect(out).toContain("<Key>cr&#13;lf\n</Key>");
  });

  test("arrays repeat the element, undefined is omitted, booleans are words", () => {
    const out = buildXml("R", { A: [1, 2], U: undefined, T: true, E: "" }, null);
    expect(out).toEndWith("<R><A>1</A><A>2</A><T>true</T><E></E></R>");
  });

  test("what the builder writes, the parser reads back", () => {
    const keys = ["0123", " spaced ", "a&b<c>", "line\r\nbreak", "日本語"];
    const text = buildXml("Delete", { Object: keys.map((Key) => ({ Key })) });
    const r = parseXml(text, "Delete", schemas.deleteRequest);
    expect(r.Object.map((o) => o.Key)).toEqual(keys);
  });
});

describe("list-shaped bodies at their AWS maximum", () => {
  // Generous limits: these bodies are large and the machine may be shared; no timing is asserted.
  test("10000 parts with checksums", () => {
    const part = (n: number) =>
      `<Part><PartNumber>${n}</PartNumber><ETag>"${"a".repeat(32)}"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumSHA256>${"B".repeat(43)}=</ChecksumSHA256></Part>`;
    const text = `<CompleteMultipartUpload>${Array.from({ length: 10000 }, (_, i) => part(i + 1)).join("")}</CompleteMultipartUpload>`;
    expect(text.length).toBeGreaterThan(1 << 20);
    const r = parseXml(text, "CompleteMultipartUpload", schemas.completeMultipartUpload);
    expect(r.Part).toHaveLength(10000);
    expect(r.Part[9999]!.PartNumber).toBe(10000);
  }, 60_000);

  test("1000 keys of 1024 bytes", () => {
    const key = (i: number) => `${String(i).padStart(4, "0")}${"k&".repeat(510)}`;
    const text = `<Delete>${Array.from({ length: 1000 }, (_, i) => `<Object><Key>${key(i).replaceAll("&", "&amp;")}</Key></Object>`).join("")}</Delete>`;
    expect(text.length).toBeGreaterThan(1 << 20);
    const r = parseXml(text, "Delete", schemas.deleteRequest);
    expect(r.Object[999]!.Key).toBe(key(999));
  }, 60_000);
});
