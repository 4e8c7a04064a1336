/**
 * Placeholder console on --console-address: one small HTML page so a browser redirected from
 * the S3 port lands somewhere useful. The real console (src/console) replaces it later.
 */
import type { ListenAddress } from "./config";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cairn console</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}</style></head>
<body><h1>Cairn console</h1>
<p>This Cairn server is running. The browser console is not built yet.</p>
<p>Use any S3 client against the S3 endpoint: <code>S3_URL</code></p>
</body></html>
`;

export function startConsole(address: ListenAddress, s3Url: string): ReturnType<typeof Bun.serve> {
  const page = PAGE.replace("S3_URL", s3Url.replace(/[<>&]/g, ""));
  return Bun.serve({
    hostname: address.host || "0.0.0.0",
    port: address.port,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path !== "/" && path !== "/index.html") return new Response("Not found\n", { status: 404 });
      return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
    },
  });
}
