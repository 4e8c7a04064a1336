/**
 * PUT/GET throughput of the erasure layer called directly (no HTTP): 4 drives EC:2, objects of
 * 1 MiB and 64 MiB, healthy and with one drive offline (GETs then decode from parity; an
 * offline drive is not healed, so no background heal competes with the measurement).
 * Usage: bun scripts/bench-layer.ts [--dir /tmp] [--total-mib 512]
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openErasureLayer } from "../src/erasure/index";
import { FaultyDrive, LocalDrive } from "../src/storage/index";

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : def;
};
const base = opt("--dir", "/tmp");
const totalMiB = Number(opt("--total-mib", "512"));

function generated(size: number): ReadableStream<Uint8Array> {
  const chunk = crypto.getRandomValues(new Uint8Array(1 << 16));
  let sent = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (sent >= size) return ctrl.close();
      const n = Math.min(chunk.length, size - sent);
      ctrl.enqueue(chunk.slice(0, n));
      sent += n;
    },
  });
}

async function drain(s: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of s) n += c.length;
  return n;
}

const root = mkdtempSync(join(base, "cairn-bench-"));
const drives = [1, 2, 3, 4].map((i) => join(root, `d${i}`));
drives.forEach((d) => mkdirSync(d));
const faulty = await Promise.all(drives.map(async (d) => new FaultyDrive(await LocalDrive.open(d))));
const layer = await openErasureLayer({ drives, driveImpls: faulty, parity: 2 });
await layer.makeBucket("bench");
const rows: Record<string, string | number>[] = [];

async function run(size: number, label: string, degraded: boolean) {
  const count = Math.max(1, Math.floor((totalMiB * 1024 * 1024) / size));
  let t = performance.now();
  if (!degraded) {
    for (let i = 0; i < count; i++) {
      await layer.putObject("bench", `o${size}/${i}`, generated(size), { size, metadata: { user: {} }, versioning: "unversioned" });
    }
  }
  const putS = (performance.now() - t) / 1000;
  t = performance.now();
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += await drain((await layer.getObject("bench", `o${size}/${i}`)).body);
  const getS = (performance.now() - t) / 1000;
  const mb = (count * size) / 1e6;
  rows.push({ case: label, size: `${size >> 20} MiB`, count, put_MBps: degraded ? "-" : Math.round(mb / putS), get_MBps: Math.round(bytes / 1e6 / getS) });
}

await run(1 << 20, "healthy", false);
await run(64 << 20, "healthy", false);
faulty[0]!.offline = true;
await run(1 << 20, "1 drive offline", true);
await run(64 << 20, "1 drive offline", true);
const offlinePut = async (size: number) => {
  const count = Math.max(1, Math.floor((totalMiB * 1024 * 1024) / size));
  const t = performance.now();
  for (let i = 0; i < count; i++) {
    await layer.putObject("bench", `m${size}/${i}`, generated(size), { size, metadata: { user: {} }, versioning: "unversioned" });
  }
  return Math.round((count * size) / 1e6 / ((performance.now() - t) / 1000));
};
rows.push({ case: "1 drive offline (PUT)", size: "1 MiB", count: "-", put_MBps: await offlinePut(1 << 20), get_MBps: "-" });
rows.push({ case: "1 drive offline (PUT)", size: "64 MiB", count: "-", put_MBps: await offlinePut(64 << 20), get_MBps: "-" });
await layer.close();
rmSync(root, { recursive: true, force: true });
console.table(rows);
console.log(JSON.stringify(rows));
