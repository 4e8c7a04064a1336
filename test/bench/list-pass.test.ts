/** The LIST load walks the namespace once per worker: a second pass would measure the server's listing cache. */
import { afterAll, expect, test } from "bun:test";
import { runLoad } from "../../scripts/bench/loadgen";
import type { LoadSpec } from "../../scripts/bench/types";

const PAGES = 3;
const tokens: (string | null)[] = [];
let endless = false;

function page(n: number): string {
  const keys = Array.from({ length: 10 }, (_, i) => `<Contents><Key>k${n}-${i}</Key></Contents>`).join("");
  const more = endless || n < PAGES - 1;
  const next = more ? `<NextContinuationToken>t${n + 1}</NextContinuationToken>` : "";
  return `<ListBucketResult><IsTruncated>${more}</IsTruncated>${next}${keys}</ListBucketResult>`;
}

const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    const token = new URL(req.url).searchParams.get("continuation-token");
    tokens.push(token);
    const n = token === null ? 0 : Number(token.slice(1));
    return new Response(page(n), { headers: { "content-type": "application/xml" } });
  },
});
afterAll(() => server.stop(true));

const spec = (seconds: number): LoadSpec => ({
  endpoint: `http://127.0.0.1:${server.port}`,
  accessKey: "a",
  secretKey: "s",
  op: "list",
  bucket: "b",
  keyPrefix: "k",
  keyCount: 0,
  size: 0,
  concurrency: 1,
  seconds,
  list: { prefix: "", maxKeys: 10 },
});

test("a LIST load stops at the end of the namespace instead of listing it again", async () => {
  tokens.length = 0;
  endless = false;
  const r = await runLoad(spec(10));
  expect(tokens).toEqual([null, "t1", "t2"]);
  expect(r.ops).toBe(PAGES);
  expect(r.items).toBe(PAGES * 10);
});

test("a listing that does not end is walked until the time is up", async () => {
  tokens.length = 0;
  endless = true;
  const r = await runLoad(spec(1));
  expect(r.ops).toBeGreaterThan(PAGES);
  expect(tokens.slice(0, 4)).toEqual([null, "t1", "t2", "t3"]);
});
