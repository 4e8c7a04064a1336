import { describe, expect, test } from "bun:test";
import { parseQuery, RequestQuery } from "./query";

describe("RequestQuery", () => {
  test("answers has/get like URLSearchParams for the queries S3 clients send", () => {
    const samples = [
      "?uploads",
      "?list-type=2&prefix=a%2Fb%20c&delimiter=%2F&max-keys=10",
      "?versionId=abc&partNumber=3&response-content-disposition=attachment%3B%20filename%3D%22x.txt%22",
      "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20261126%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ab",
      "?a=1&a=2&b=&c&prefix=x+y",
      // Longer than a scan's reach: answered from the name index, first value per name.
      "?" + Array.from({ length: 14 }, (_, i) => `k${i % 9}=${i}`).join("&") + "&uploads",
    ];
    for (const search of samples) {
      const q = new RequestQuery(search);
      const ref = new URLSearchParams(search);
      for (const name of new Set(ref.keys())) {
        expect(q.has(name)).toBe(true);
        expect(q.get(name)).toBe(ref.get(name));
      }
      expect(q.has("absent")).toBe(false);
      expect(q.get("absent")).toBeNull();
    }
  });

  test("keeps every pair in order, duplicates included, for the canonical query", () => {
    expect(new RequestQuery("?a=1&a=2&b").params).toEqual([
      { key: "a", value: "1" },
      { key: "a", value: "2" },
      { key: "b", value: "" },
    ]);
  });

  test("a malformed percent sequence stays as sent instead of throwing", () => {
    expect(parseQuery("k=%E0%A4%A&x=%zz")).toEqual([
      { key: "k", value: "%E0%A4%A" },
      { key: "x", value: "%zz" },
    ]);
  });
});
