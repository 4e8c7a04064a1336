/**
 * Headless Debian chromium driven by playwright-core, for the browser tests (CORS, POST forms):
 * one browser per test file, a tiny web app on another origin (a Bun.serve on its own port) and
 * an AWS SDK client for the real server process the page talks to.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { existsSync } from "node:fs";
import { ACCESS_KEY, REGION, SECRET_KEY, tempDir } from "./harness";

export const CHROMIUM = "/usr/bin/chromium";

export type Browser = import("playwright-core").BrowserContext;
export type Tab = import("playwright-core").Page;
export type AppServer = ReturnType<typeof Bun.serve>;

/** Whether chromium and playwright-core are installed; when not, warns once with `suite`'s name. */
export async function browserAvailable(suite: string): Promise<boolean> {
  const ok = existsSync(CHROMIUM) && (await import("playwright-core").then(() => true, () => false));
  if (!ok) console.warn(`[${suite}] skipped: needs ${CHROMIUM} (apt chromium) and npm playwright-core`);
  return ok;
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  return chromium.launchPersistentContext(tempDir("cairn-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** The web app the browser loads: another origin than the S3 server, so CORS rules apply. */
export function serveApp(fetch: (req: Request) => Response | Promise<Response>): AppServer {
  return Bun.serve({ port: 0, hostname: "127.0.0.1", fetch });
}

export function appOrigin(app: AppServer): string {
  return `http://127.0.0.1:${app.port}`;
}

export function html(body: string): Response {
  return new Response(`<!doctype html><meta charset="utf-8"><title>app</title>${body}`, { headers: { "content-type": "text/html; charset=utf-8" } });
}

/** Runs `fn` in a new tab, closed afterwards whatever happens. */
export async function inTab<T>(browser: Browser, fn: (tab: Tab) => Promise<T>): Promise<T> {
  const tab = await browser.newPage();
  try {
    return await fn(tab);
  } finally {
    await tab.close();
  }
}

export function rootClient(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
}
