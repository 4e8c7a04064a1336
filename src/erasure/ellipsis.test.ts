import { describe, expect, test } from "bun:test";
import { EllipsisError, expandEllipsis } from "./ellipsis";

describe("expandEllipsis", () => {
  test("one range", () => {
    expect(expandEllipsis("/data{1...4}")).toEqual(["/data1", "/data2", "/data3", "/data4"]);
    expect(expandEllipsis("/data{1...16}")).toHaveLength(16);
  });
  test("zero padding is kept", () => {
    expect(expandEllipsis("/mnt/disk{01...03}")).toEqual(["/mnt/disk01", "/mnt/disk02", "/mnt/disk03"]);
  });
  test("several ellipses: the first varies slowest", () => {
    expect(expandEllipsis("http://node{1...2}:9000/d{1...3}")).toEqual([
      "http://node1:9000/d1",
      "http://node1:9000/d2",
      "http://node1:9000/d3",
      "http://node2:9000/d1",
      "http://node2:9000/d2",
      "http://node2:9000/d3",
    ]);
  });
  test("letters and plain arguments", () => {
    expect(expandEllipsis("/d{a...c}")).toEqual(["/da", "/db", "/dc"]);
    expect(expandEllipsis("/data")).toEqual(["/data"]);
  });
  test("malformed ranges are rejected with the argument named", () => {
    expect(() => expandEllipsis("/d{4...1}")).toThrow(EllipsisError);
    expect(() => expandEllipsis("/d{1...}")).toThrow(/\/d\{1\.\.\.\}/);
  });
});
