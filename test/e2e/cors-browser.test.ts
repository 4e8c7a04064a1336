/**
 * CORS from a real browser: headless Debian chromium loads a page from another origin (a tiny
 * Bun.serve on another port) that uploads with fetch to a presigned PUT URL and reads the object
 * back with a presigned GET. Without a CORS configuration the browser must block the upload at
 * its preflight; with one it goes through.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketCorsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { appOrigin, browserAvailable, html, inTab, launchBrowser, rootClient, serveApp, type AppServer, type Browser } from "./browser";
import { bucketName, cleanupTemp, startServer, type ServerHandle } from "./harness";

setDefaultTimeout(180_000);

const haveBrowser = await browserAvailable("cors-browser");

let server: ServerHandle;
let client: S3Client;
let page: AppServer;
let browser: Browser;

beforeAll(async () => {
  if (!haveBrowser) return;
  server = await startServer({ drives: 4 });
  client = rootClient(server.url);
  page = serveApp(() => html("<p>app"));
  browser = await launchBrowser();
});

afterAll(async () => {
  if (!haveBrowser) return;
  await browser?.close();
  page?.stop(true);
  client?.destroy();
  await server?.stop();
  cleanupTemp();
});

/** Runs in the page: PUT then GET with fetch; "blocked: …" when the browser refuses. */
async function uploadFromPage(bucket: string, key: string, body: string): Promise<string> {
  const put = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: "text/plain" }), { expiresIn: 300 });
  const get = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
  return inTab(browser, async (tab) => {
    await tab.goto(`${appOrigin(page)}/`);
    return tab.evaluate(
      async ({ put, get, body }) => {
        try {
          const r = await fetch(put, { method: "PUT", body, headers: { "content-type": "text/plain" } });
          if (!r.ok) return `put status ${r.status}`;
          return await (await fetch(get)).text();
        } catch (e) {
          return `blocked: ${String(e)}`;
        }
      },
      { put, get, body },
    );
  });
}

describe.skipIf(!haveBrowser)("CORS in headless chromium", () => {
  test("without a CORS configuration the browser blocks the cross-origin upload", async () => {
    const bucket = bucketName("cors-none");
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const result = await uploadFromPage(bucket, "f.txt", "from the browser");
    expect(result.startsWith("blocked:")).toBe(true);
    // The preflight failed, so the PUT itself was never sent.
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "f.txt" })).then(() => 200, (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
    expect(head).toBe(404);
  });

  test("with a rule for the page's origin the upload and read-back succeed", async () => {
    const bucket = bucketName("cors-ok");
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: [appOrigin(page)], AllowedMethods: ["PUT", "GET"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"] }] },
      }),
    );
    expect(await uploadFromPage(bucket, "f.txt", "from the browser")).toBe("from the browser");
    const stored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "f.txt" }));
    expect(await stored.Body?.transformToString()).toBe("from the browser");
    expect(stored.ContentType).toBe("text/plain");
  });
});
