/**
 * The listing ceiling: what the syscalls a cold LIST cannot avoid allow on this machine. Per key
 * and per drive the listing reads (m + 1 of the set's drives, or all of them where m + 1 < k:
 * listingWidth), Cairn's walk makes four: a statx of the key's directory (does it
 * hold longer keys?) and open + read + close of its xl.meta. Here those four run back to back
 * from raw libc calls (ffi/probe.ts, the server's own), on one thread per core, over a namespace
 * of empty-object-sized xl.meta files made for it: no walk, no merge, no decode, no HTTP. The
 * directory reads themselves (a few per thousand keys) are left out.
 *
 * Why: the issue's LIST target is a fixed 20,000 keys/s; on a VM where a syscall costs ~1 µs
 * and a probe ~15 µs, that can be above what three drives' probes allow on two cores, and a
 * reader needs the floor beside the figure to tell the listing's own cost from the machine's.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROBE_SYS_WORKER_SOURCE } from "../../ffi/probe.ts";
import { listingWidth } from "../../src/erasure/walk-merge.ts";
import { META_FILE } from "../../src/storage/paths.ts";

export interface ListCeiling {
  drives: number;
  /** Drives a listing reads each key on. */
  walked: number;
  /** Keys in the namespace made for the measurement. */
  keys: number;
  threads: number;
  keysPerSec: number;
}


const WORKER_SOURCE = `
${PROBE_SYS_WORKER_SOURCE}
const out = new Uint8Array(1 << 16);
self.onmessage = (e) => {
  const { vols, first, step, keys, ms } = e.data;
  const dirs = vols.map((v) => probeSys.openDir(v));
  let probes = 0;
  const t0 = performance.now();
  do {
    for (let n = first; n < keys; n += step) {
      const name = String(n);
      for (const dir of dirs) {
        probeSys.lstatAt(dir, name);
        const fd = probeSys.openAt(dir, name + "/${META_FILE}");
        if (fd < 0) throw new Error("missing " + name);
        probeSys.read(fd, out, 0, out.length);
        probeSys.close(fd);
        probes++;
      }
    }
  } while (performance.now() - t0 < ms);
  for (const dir of dirs) probeSys.close(dir);
  postMessage({ probes, ms: performance.now() - t0 });
};`;

/** xl.meta of an empty object is ~300-400 bytes; a read under a page costs the same either way. */
const META_BYTES = 384;

export async function measureListCeiling(root: string, o: { drives: number; parity: number; keys?: number; seconds: number }): Promise<ListCeiling> {
  const walked = listingWidth(o.drives, o.drives - o.parity);
  const keys = o.keys ?? 5_000;
  const vols = Array.from({ length: walked }, (_, i) => join(root, `list-ceiling-${o.drives}`, `d${i + 1}`, "bucket"));
  const meta = new Uint8Array(META_BYTES).fill(0x5a);
  for (const v of vols) {
    for (let n = 0; n < keys; n++) {
      mkdirSync(join(v, String(n)), { recursive: true });
      writeFileSync(join(v, String(n), META_FILE), meta);
    }
  }
  const threads = Math.max(1, navigator.hardwareConcurrency);
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
  const workers = Array.from({ length: threads }, () => new Worker(url));
  try {
    const results = await Promise.all(
      workers.map(
        (w, first) =>
          new Promise<{ probes: number; ms: number }>((resolve, reject) => {
            w.onmessage = (e) => resolve(e.data);
            w.onerror = (e) => reject(new Error(`listing ceiling worker: ${e.message}`));
            w.postMessage({ vols, first, step: threads, keys, ms: o.seconds * 1000 });
          }),
      ),
    );
    const probes = results.reduce((sum, r) => sum + r.probes, 0);
    const ms = Math.max(...results.map((r) => r.ms));
    return { drives: o.drives, walked, keys, threads, keysPerSec: probes / walked / (ms / 1000) };
  } finally {
    for (const w of workers) w.terminate();
    URL.revokeObjectURL(url);
  }
}
