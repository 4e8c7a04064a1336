/** Bucket CORS: the configuration API and the behaviour browsers see (preflight, response headers). */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { errorCode, sdkErrorName, harnessForFile } from "./harness";

setDefaultTimeout(120_000);

const B = "cors-bucket";
const ORIGIN = "http://app.example.com";
const h = harnessForFile();
beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B }));
});

const preflight = (path: string, headers: Record<string, string>) => fetch(new URL(path, h.endpoint), { method: "OPTIONS", headers });


describe("CORS configuration API", () => {
  test("put, get back, delete", async () => {
    expect(await sdkErrorName(h.client.send(new GetBucketCorsCommand({ Bucket: B })))).toBe("NoSuchCORSConfiguration");
    await h.client.send(
      new PutBucketCorsCommand({
        Bucket: B,
        CORSConfiguration: {
          CORSRules: [
            { ID: "app", AllowedOrigins: [ORIGIN], AllowedMethods: ["GET", "PUT"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 600 },
            { AllowedOrigins: ["*"], AllowedMethods: ["GET"] },
          ],
        },
      }),
    );
    const got = await h.client.send(new GetBucketCorsCommand({ Bucket: B }));
    expect(got.CORSRules?.length).toBe(2);
    expect(got.CORSRules?.[0]).toMatchObject({ ID: "app", AllowedOrigins: [ORIGIN], AllowedMethods: ["GET", "PUT"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 600 });
  });

  test("bad configurations are rejected with AWS's codes", async () => {
    const bad = [
      ["<CORSConfiguration></CORSConfiguration>", "MalformedXML"],
      ["<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>", "InvalidRequest"],
      ["<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>", "MalformedXML"],
      ["<CORSConfiguration><CORSRule><AllowedOrigin>*.*.x</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>", "InvalidRequest"],
    ] as const;
    for (const [body, code] of bad) {
      const res = await h.send("PUT", `/${B}-bad?cors`, { body });
      expect(await errorCode(res)).toBe("NoSuchBucket");
      const res2 = await h.send("PUT", `/${B}?cors`, { body });
      expect(res2.status).toBe(400);
      expect(await errorCode(res2)).toBe(code);
    }
  });
});

describe("CORS behaviour", () => {
  test("preflight: allowed origin/method/headers → 200 with the rule's headers, unauthenticated", async () => {
    const res = await preflight(`/${B}/some/key`, { origin: ORIGIN, "access-control-request-method": "PUT", "access-control-request-headers": "content-type, x-amz-date" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, PUT");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type, x-amz-date");
    expect(res.headers.get("access-control-max-age")).toBe("600");
  });

  test("preflight: another origin or method is 403 AccessForbidden; no Origin is 400", async () => {
    const other = await preflight(`/${B}/k`, { origin: "http://evil.example", "access-control-request-method": "PUT" });
    expect(other.status).toBe(403);
    expect(await errorCode(other)).toBe("AccessForbidden");
    const del = await preflight(`/${B}/k`, { origin: ORIGIN, "access-control-request-method": "DELETE" });
    expect(del.status).toBe(403);
    const none = await preflight(`/${B}/k`, { "access-control-request-method": "GET" });
    expect(none.status).toBe(400);
  });

  test("actual responses, errors included, carry the matching rule's headers", async () => {
    const ok = await h.send("PUT", `/${B}/obj`, { body: "x", headers: { origin: ORIGIN } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(ok.headers.get("access-control-expose-headers")).toBe("ETag");
    const missing = await h.send("GET", `/${B}/nope`, { headers: { origin: ORIGIN } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const wildcard = await h.send("GET", `/${B}/obj`, { headers: { origin: "http://anyone.example" } });
    expect(wildcard.headers.get("access-control-allow-origin")).toBe("*");
    const noOrigin = await h.send("GET", `/${B}/obj`);
    expect(noOrigin.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("after DeleteBucketCors preflight is refused", async () => {
    await h.client.send(new DeleteBucketCorsCommand({ Bucket: B }));
    const res = await preflight(`/${B}/k`, { origin: ORIGIN, "access-control-request-method": "GET" });
    expect(res.status).toBe(403);
  });
});
