/**
 * POST Object from a real browser: the test plays a web backend that signs a POST policy with
 * AWS's own @aws-sdk/s3-presigned-post and serves an HTML page (another origin) with a
 * `<form method=post enctype=multipart/form-data>`. Headless chromium picks a file, submits the
 * form as a real navigation, and the test checks the answer and what the server stored.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketCorsCommand, type S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost, type PresignedPost, type PresignedPostOptions } from "@aws-sdk/s3-presigned-post";
import { join } from "node:path";
import { appOrigin, browserAvailable, html, inTab, launchBrowser, rootClient, serveApp, type AppServer, type Browser, type Tab } from "./browser";
import { bucketName, cleanupTemp, pseudoRandom, startServer, tempDir, writeRandomFile, type ServerHandle } from "./harness";

setDefaultTimeout(60_000);

const haveBrowser = await browserAvailable("post-browser");

let server: ServerHandle;
let client: S3Client;
let app: AppServer;
let browser: Browser;
let bucket: string;
/** The app's pages by path: each test registers the form it wants the browser to load. */
const pages = new Map<string, string>();

beforeAll(async () => {
  if (!haveBrowser) return;
  [server, browser] = await Promise.all([startServer({ drives: 4 }), launchBrowser()]);
  client = rootClient(server.url);
  app = serveApp((req) => {
    const path = new URL(req.url).pathname;
    const page = pages.get(path);
    if (page !== undefined) return html(page);
    return path === "/done" ? html("<p>uploaded") : new Response("not found", { status: 404 });
  });
  pages.set("/", "<p>app");
  bucket = bucketName("post-form");
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  if (!haveBrowser) return;
  await browser?.close();
  app?.stop(true);
  client?.destroy();
  await server?.stop();
  cleanupTemp();
});

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** What a web backend does: sign a policy for uploads/ (the SDK adds bucket, key and credential conditions). */
function sign(opts: Partial<PresignedPostOptions>): Promise<PresignedPost> {
  return createPresignedPost(client, { Bucket: bucket, Key: "uploads/${filename}", Expires: 300, ...opts });
}

/** The backend renders the signed fields as hidden inputs of a form page; `tamper` plays a user editing them. */
async function signedForm(opts: Partial<PresignedPostOptions> & { tamper?: Record<string, string> }): Promise<{ path: string; action: string }> {
  const { tamper, ...signOpts } = opts;
  const post = await sign(signOpts);
  const inputs = Object.entries({ ...post.fields, ...tamper }).map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`);
  const path = `/form-${pages.size}`;
  // The file input comes last: S3 ignores every field after the file.
  pages.set(path, `<form method="post" action="${escape(post.url)}" enctype="multipart/form-data">${inputs.join("")}<input type="file" name="file"><button>Upload</button></form>`);
  return { path, action: post.url };
}

interface Submitted {
  status: number;
  /** The response body; "" for a redirect (browsers do not expose it). */
  body: string;
}

/** Loads the form, picks `file` with the file chooser's API and clicks Upload: a real navigation. */
async function submit(tab: Tab, form: { path: string; action: string }, file: Parameters<Tab["setInputFiles"]>[1]): Promise<Submitted> {
  await tab.goto(`${appOrigin(app)}${form.path}`);
  await tab.setInputFiles('input[type="file"]', file);
  const answered = tab.waitForResponse((r) => r.request().method() === "POST" && r.url() === form.action);
  await tab.click("button");
  const res = await answered;
  const status = res.status();
  const body = status >= 300 && status < 400 ? "" : await res.text();
  return { status, body };
}

const xmlValue = (body: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body)?.[1];

async function exists(key: string): Promise<boolean> {
  return client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    (e: { $metadata?: { httpStatusCode?: number } }) => {
      if (e.$metadata?.httpStatusCode === 404) return false;
      throw e;
    },
  );
}

const text = (s: string) => Buffer.from(s);

describe.skipIf(!haveBrowser)("POST form upload in headless chromium", () => {
  test("201: the XML answer names the object, stored with its bytes, Content-Type and metadata", async () => {
    const data = Buffer.from(pseudoRandom(70_000, 8));
    const form = await signedForm({
      Conditions: [["content-length-range", 1, 1024 * 1024], ["starts-with", "$Content-Type", "application/"]],
      Fields: { success_action_status: "201", "Content-Type": "application/x-cairn", "x-amz-meta-origin": "browser-form" },
    });
    const res = await inTab(browser, (tab) => submit(tab, form, { name: "photo.bin", mimeType: "application/octet-stream", buffer: data }));
    expect(res.status).toBe(201);
    expect(xmlValue(res.body, "Bucket")).toBe(bucket);
    expect(xmlValue(res.body, "Key")).toBe("uploads/photo.bin");
    const stored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "uploads/photo.bin" }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(data)).toBe(true);
    expect(stored.ContentType).toBe("application/x-cairn");
    expect(stored.Metadata).toEqual({ origin: "browser-form" });
    expect(xmlValue(res.body, "ETag")?.replaceAll("&quot;", '"')).toBe(stored.ETag);
  });

  test("303 to success_action_redirect with bucket, key and etag; acl public-read and UTF-8 name and title survive", async () => {
    const done = `${appOrigin(app)}/done`;
    const title = "Café ☕ 東京";
    const form = await signedForm({ Fields: { success_action_redirect: done, acl: "public-read", "x-amz-meta-title": title } });
    const key = "uploads/note été.txt";
    const landed = await inTab(browser, async (tab) => {
      const res = await submit(tab, form, { name: "note été.txt", mimeType: "text/plain", buffer: text("redirected upload") });
      await tab.waitForURL(`${done}?**`);
      const back = { status: res.status, url: new URL(tab.url()), page: await tab.textContent("body") };
      // public-read: the browser, holding no credentials, opens the object itself.
      const opened = await tab.goto(`${server.url}/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`);
      return { ...back, anonymous: { status: opened?.status(), body: await opened?.text() } };
    });
    expect(landed.status).toBe(303);
    expect(landed.page).toBe("uploaded");
    expect(landed.url.searchParams.get("bucket")).toBe(bucket);
    expect(landed.url.searchParams.get("key")).toBe(key);
    expect(landed.anonymous).toEqual({ status: 200, body: "redirected upload" });
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(landed.url.searchParams.get("etag")).toBe(head.ETag!);
    // The title comes back as its UTF-8 bytes, which HTTP clients read as latin1.
    expect(Buffer.from(head.Metadata?.title ?? "", "latin1").toString("utf8")).toBe(title);
  });

  test("a file over content-length-range: the browser reads EntityTooLarge and nothing is stored", async () => {
    // From disk: 8 MiB is far past the limit and more than the socket buffers hold, so the answer
    // comes while the browser is still sending.
    const path = join(tempDir(), "big.bin");
    await writeRandomFile(path, 8 * 1024 * 1024, 3);
    const form = await signedForm({ Conditions: [["content-length-range", 1, 1024]] });
    const res = await inTab(browser, (tab) => submit(tab, form, path));
    expect(res.status).toBe(400);
    expect(xmlValue(res.body, "Code")).toBe("EntityTooLarge");
    expect(await exists("uploads/big.bin")).toBe(false);
  });

  test("a key outside the policy's starts-with prefix: AccessDenied and nothing stored", async () => {
    const form = await signedForm({ tamper: { key: "private/${filename}" } });
    const res = await inTab(browser, (tab) => submit(tab, form, { name: "escape.txt", mimeType: "text/plain", buffer: text("not here") }));
    expect(res.status).toBe(403);
    expect(xmlValue(res.body, "Code")).toBe("AccessDenied");
    expect(await exists("private/escape.txt")).toBe(false);
    expect(await exists("uploads/escape.txt")).toBe(false);
  });

  test("an expired policy: AccessDenied and nothing stored", async () => {
    const form = await signedForm({ Expires: -60 });
    const res = await inTab(browser, (tab) => submit(tab, form, { name: "late.txt", mimeType: "text/plain", buffer: text("too late") }));
    expect(res.status).toBe(403);
    expect(xmlValue(res.body, "Code")).toBe("AccessDenied");
    expect(await exists("uploads/late.txt")).toBe(false);
  });
});

interface Fetched {
  status?: number;
  etag?: string | null;
  body?: string;
  /** Set when the browser kept the answer from the page. */
  blocked?: string;
}

/** Runs in the app's page: posts the signed fields and a Blob with fetch + FormData, as an SPA does. */
function fetchUpload(post: PresignedPost, file: { name: string; content: string }): Promise<Fetched> {
  return inTab(browser, async (tab) => {
    await tab.goto(`${appOrigin(app)}/`);
    return tab.evaluate(
      async ({ url, fields, file }) => {
        const fd = new FormData();
        for (const [k, v] of Object.entries(fields)) fd.append(k, v);
        fd.append("file", new Blob([file.content], { type: "text/plain" }), file.name);
        try {
          const r = await fetch(url, { method: "POST", body: fd });
          return { status: r.status, etag: r.headers.get("etag"), body: await r.text() };
        } catch (e) {
          return { blocked: String(e) };
        }
      },
      { url: post.url, fields: post.fields, file },
    );
  });
}

describe.skipIf(!haveBrowser)("POST with fetch + FormData from another origin", () => {
  test("with a CORS rule for POST the page reads the 201 answer and the exposed ETag", async () => {
    const corsBucket = bucketName("post-cors");
    await client.send(new CreateBucketCommand({ Bucket: corsBucket }));
    await client.send(
      new PutBucketCorsCommand({
        Bucket: corsBucket,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: [appOrigin(app)], AllowedMethods: ["POST"], ExposeHeaders: ["ETag"] }] },
      }),
    );
    const post = await sign({ Bucket: corsBucket, Fields: { success_action_status: "201" } });
    const res = await fetchUpload(post, { name: "spa.txt", content: "sent with fetch" });
    expect(res.blocked).toBeUndefined();
    expect(res.status).toBe(201);
    expect(xmlValue(res.body ?? "", "Key")).toBe("uploads/spa.txt");
    const stored = await client.send(new GetObjectCommand({ Bucket: corsBucket, Key: "uploads/spa.txt" }));
    expect(await stored.Body!.transformToString()).toBe("sent with fetch");
    expect(res.etag).toBe(stored.ETag!);
  });

  test("without a CORS rule the page cannot read the answer; the form POST is a simple request, so it was still stored", async () => {
    const post = await sign({ Fields: { success_action_status: "201" } });
    const res = await fetchUpload(post, { name: "no-cors.txt", content: "opaque" });
    expect(res.blocked).toContain("Failed to fetch");
    // No preflight guards a simple request: CORS decides who reads answers, the policy who writes.
    expect(await exists("uploads/no-cors.txt")).toBe(true);
  });
});
