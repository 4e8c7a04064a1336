import { expect, test } from "bun:test";
import { plainReply, replyHeader, setReplyHeader, toResponse } from "./reply";

test("a plain reply counts its UTF-8 body, and reads and sets headers as a Response would", async () => {
  const r = plainReply(200, { "content-type": "application/xml" }, "<a>é</a>");
  expect(r.headers["content-length"]).toBe("9");
  setReplyHeader(r, "X-Amz-Request-Id", "R1");
  expect(replyHeader(r, "x-amz-request-id")).toBe("R1");
  expect(replyHeader(r, "etag")).toBeNull();
  const res = toResponse(r);
  expect(res.headers.get("x-amz-request-id")).toBe("R1");
  expect(await res.text()).toBe("<a>é</a>");
  const empty = plainReply(304, {}, null);
  expect(empty.headers["content-length"]).toBeUndefined();
  const real = new Response("x");
  setReplyHeader(real, "etag", '"e"');
  expect(replyHeader(real, "etag")).toBe('"e"');
});
