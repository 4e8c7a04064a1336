/**
 * Throughput of payload verification and head-only verification rate, per core: measured in
 * process CPU time (user + system), so a machine shared with other work still gives stable
 * figures. Run: bun src/auth/bench/auth-bench.ts [MiB]
 */
import { encodeAwsChunked, signRequestV4, verifyRequest, type AuthRequest } from "../index";
import { checksumOf, toBase64, type ChecksumAlgorithm } from "../../lib";
import { sha256Hex } from "../crypto";

const MIB = 1 << 20;

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
const size = Number(process.argv[2] ?? 64) * MIB;
const creds = { accessKeyId: "bench", secretAccessKey: "bench-secret" };
const lookup = async (ak: string) => (ak === "bench" ? "bench-secret" : null);
const url = new URL("http://127.0.0.1:9000/bucket/object");
const data = new Uint8Array(size);
for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)));

/** Feeds `wire` in 1 MiB views, like a socket would. */
function source(wire: Uint8Array): ReadableStream<Uint8Array> {
  let pos = 0;
  return new ReadableStream({
    pull(c) {
      if (pos >= wire.length) return c.close();
      c.enqueue(wire.subarray(pos, pos + MIB));
      pos += MIB;
    },
  });
}

async function consume(req: AuthRequest, wire: Uint8Array): Promise<number> {
  const t = cpuSeconds();
  const v = await verifyRequest(req, source(wire), lookup);
  let n = 0;
  for await (const piece of v.body!) n += piece.length;
  if (n !== size) throw new Error(`short read ${n}`);
  return cpuSeconds() - t;
}

async function run(name: string, make: () => Promise<{ req: AuthRequest; wire: Uint8Array }>): Promise<void> {
  const { req, wire } = await make();
  await consume({ ...req, headers: new Headers(req.headers) }, wire);
  const secs = Math.min(await consume(req, wire), await consume(req, wire));
  console.log(`${name.padEnd(44)} ${(size / secs / 1e9).toFixed(2)} GB/s`);
}

function plain(payloadHash: string, headers: Record<string, string> = {}) {
  return async () => ({ req: { method: "PUT", url, headers: signRequestV4({ method: "PUT", url, headers, credentials: creds, region: "us-east-1", payloadHash }).headers }, wire: data });
}

function chunked(signedChunks: boolean, trailer?: ChecksumAlgorithm) {
  return async () => {
    const payloadHash = signedChunks ? (trailer ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" : "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") : "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    const headers: Record<string, string> = { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(size) };
    if (trailer) headers["x-amz-trailer"] = `x-amz-checksum-${trailer.toLowerCase()}`;
    const s = signRequestV4({ method: "PUT", url, headers, credentials: creds, region: "us-east-1", payloadHash });
    const wire = new Uint8Array(await new Response(encodeAwsChunked(source(data), { signing: signedChunks ? s.chunkSigning : null, chunkSize: 64 * 1024, trailerChecksum: trailer })).arrayBuffer());
    return { req: { method: "PUT", url, headers: s.headers }, wire };
  };
}

await run("UNSIGNED-PAYLOAD (pass-through)", plain("UNSIGNED-PAYLOAD"));
await run("signed payload (SHA-256)", plain(sha256Hex(data)));
for (const alg of ["CRC32", "CRC32C", "CRC64NVME", "SHA256"] as const) {
  await run(`UNSIGNED + x-amz-checksum-${alg.toLowerCase()} header`, plain("UNSIGNED-PAYLOAD", { [`x-amz-checksum-${alg.toLowerCase()}`]: toBase64(await checksumOf(alg, data)) }));
}
await run("aws-chunked signed, 64 KiB chunks", chunked(true));
await run("aws-chunked signed + CRC32 trailer", chunked(true, "CRC32"));
await run("aws-chunked unsigned + CRC32 trailer", chunked(false, "CRC32"));
await run("aws-chunked unsigned + CRC32C trailer", chunked(false, "CRC32C"));

const head = signRequestV4({ method: "GET", url, credentials: creds, region: "us-east-1", payloadHash: "UNSIGNED-PAYLOAD" }).headers;
const n = 20000;
for (let i = 0; i < n; i++) await verifyRequest({ method: "GET", url, headers: head }, null, lookup);
const t = cpuSeconds();
for (let i = 0; i < n; i++) await verifyRequest({ method: "GET", url, headers: head }, null, lookup);
console.log(`${"SigV4 header verification (no body)".padEnd(44)} ${(n / (cpuSeconds() - t)).toFixed(0)} req/s per core`);
