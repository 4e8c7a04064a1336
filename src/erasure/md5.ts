/**
 * The ETag's MD5 off the event loop. MD5 is the costliest step of a large PUT (~1.3 ms per MiB,
 * measured as ~40% of the event loop's CPU for PUT 64 MiB c=4), and one core cannot run it in
 * parallel with the HTTP, encode and write work. So full blocks (views of pooled
 * SharedArrayBuffers, never copied) are hashed by Workers, one per core, while the event loop
 * encodes and writes them; a body smaller than one block is hashed in place, so small PUTs pay
 * no hop.
 *
 * The worker is built from a Blob URL rather than a file, so `bun build --compile` needs no extra
 * entry point and the single executable carries it.
 */

const WORKER_SOURCE = `
const hashers = new Map();
const buffers = new Map();
self.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.op === "update") {
      let h = hashers.get(m.id);
      if (!h) hashers.set(m.id, (h = new Bun.CryptoHasher("md5")));
      if (m.ranges) for (const [bid, off, len] of m.ranges) h.update(new Uint8Array(buffers.get(bid), off, len));
      else h.update(new Uint8Array(m.buf ?? buffers.get(m.bid), m.off, m.len));
      postMessage({ n: m.n });
    } else if (m.op === "digest") {
      const h = hashers.get(m.id) ?? new Bun.CryptoHasher("md5");
      hashers.delete(m.id);
      postMessage({ n: m.n, hex: h.digest("hex") });
    } else if (m.op === "buffer") {
      buffers.set(m.bid, m.buf);
    } else if (m.op === "forget") {
      buffers.delete(m.bid);
    } else {
      hashers.delete(m.id);
    }
  } catch (err) {
    postMessage({ n: m.n, error: String(err) });
  }
};`;

/** Blocks below this are hashed in place: the hop would cost more than it frees. */
const MIN_OFFLOAD = 256 * 1024;

export class Md5WorkerError extends Error {
  override readonly name = "Md5WorkerError";
}

type Reply = { n: number; hex?: string; error?: string };

let nextWorkerId = 0;

class HashWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private next = 0;
  /**
   * Pooled buffers are sent to the worker once and named by number afterwards: posting a
   * SharedArrayBuffer measured 45-190 µs a message, a message of numbers ~10 µs.
   */
  private readonly known = new WeakMap<SharedArrayBuffer, number>();
  private readonly forget = new FinalizationRegistry<number>((bid) => this.post({ op: "forget", bid }));
  private nextBuffer = 0;
  broken = false;
  /** Bodies assigned to this worker and not yet finished. */
  bodies = 0;
  readonly id = nextWorkerId++;

  constructor() {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
    this.worker = new Worker(url);
    // Idle, it must not keep a finished process (a test, a CLI run) alive. Busy, it is ref'd:
    // Bun's event loop spins (measured ~40% of a core) awaiting an unref'd worker's reply when
    // nothing else holds the loop open.
    this.worker.unref();
    this.worker.onmessage = (e: MessageEvent<Reply>) => this.settle(e.data);
    this.worker.onerror = (e) => this.fail(new Md5WorkerError(`MD5 worker failed: ${e.message}`));
  }

  call(msg: Record<string, unknown>): Promise<Reply> {
    if (this.broken) return Promise.reject(new Md5WorkerError("MD5 worker is gone"));
    const n = this.next++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(n, { resolve, reject });
      this.worker.postMessage({ ...msg, n });
    });
  }

  /** The worker's name for `buf`, sending it over the first time. */
  bufferId(buf: SharedArrayBuffer): number {
    let bid = this.known.get(buf);
    if (bid === undefined) {
      bid = this.nextBuffer++;
      this.known.set(buf, bid);
      this.forget.register(buf, bid);
      this.post({ op: "buffer", bid, buf });
    }
    return bid;
  }

  post(msg: Record<string, unknown>): void {
    if (!this.broken) this.worker.postMessage({ ...msg, n: -1 });
  }

  private settle(r: Reply): void {
    const w = this.waiting.get(r.n);
    if (!w) return;
    this.waiting.delete(r.n);
    if (this.waiting.size === 0) this.worker.unref();
    if (r.error !== undefined) w.reject(new Md5WorkerError(r.error));
    else w.resolve(r);
  }

  private fail(err: Error): void {
    this.broken = true;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    this.worker.unref();
  }
}

/**
 * Hash workers at most: one per core (up to 8, each a JS heap of its own), for bodies hashed at
 * once. A body stays on one worker: its hash state lives there.
 */
export const MD5_WORKERS = Math.min(8, Math.max(1, Number(process.env.CAIRN_MD5_WORKERS) || navigator.hardwareConcurrency || 1));
const workers: HashWorker[] = [];
let nextId = 0;

/**
 * The worker with the fewest bodies in progress, started on first need; null where workers
 * cannot start (then hashing stays here). One worker hashed at most ~0.57 GB/s (one core's
 * MD5) for every large PUT at once: PUT 64 MiB c=4 kept it 68-92% busy at 362-512 MB/s.
 */
function hashWorker(): HashWorker | null {
  for (let i = workers.length - 1; i >= 0; i--) if (workers[i]!.broken) workers.splice(i, 1);
  const idle = workers.find((w) => w.bodies === 0);
  if (idle) return idle;
  if (workers.length < MD5_WORKERS) {
    try {
      const w = new HashWorker();
      workers.push(w);
      return w;
    } catch {
      if (workers.length === 0) return null;
    }
  }
  return workers.reduce((a, b) => (b.bodies < a.bodies ? b : a));
}

/**
 * An MD5 over a stream of blocks. `update` resolves once the bytes may be overwritten; updates
 * are applied in call order. The first update decides where hashing happens for the whole body.
 */
export class StreamMd5 {
  private local: Bun.CryptoHasher | null = null;
  private remote: { w: HashWorker; id: number } | null = null;
  private finished = false;

  update(bytes: Uint8Array): Promise<void> {
    if (!this.local && !this.remote) this.choose(bytes);
    if (this.local) {
      this.local.update(bytes);
      return Promise.resolve();
    }
    const { w, id } = this.remote!;
    const at = { off: bytes.byteOffset, len: bytes.length };
    // A one-off copy travels with its message; only long-lived (pooled) buffers are registered.
    const msg =
      bytes.buffer instanceof SharedArrayBuffer
        ? { op: "update", id, bid: w.bufferId(bytes.buffer), ...at }
        : { op: "update", id, buf: copyToShared(bytes).buffer, off: 0, len: bytes.length };
    return w.call(msg).then(() => undefined);
  }

  /**
   * `update` for pieces that follow one another in the body (a block assembled in place across
   * shard slots), as one message: all of them SharedArrayBuffer views, or hashed here.
   */
  updateAll(pieces: Uint8Array[]): Promise<void> {
    const total = pieces.reduce((n, p) => n + p.length, 0);
    if (!this.local && !this.remote) this.choose({ length: total });
    const shared = pieces.every((p) => p.buffer instanceof SharedArrayBuffer);
    if (this.local || !shared) return pieces.reduce((prev, p) => prev.then(() => this.update(p)), Promise.resolve());
    const { w, id } = this.remote!;
    const ranges = pieces.map((p) => [w.bufferId(p.buffer as SharedArrayBuffer), p.byteOffset, p.length]);
    return w.call({ op: "update", id, ranges }).then(() => undefined);
  }

  async hex(): Promise<string> {
    this.finish();
    if (this.remote) {
      const r = await this.remote.w.call({ op: "digest", id: this.remote.id });
      return r.hex!;
    }
    return (this.local ?? new Bun.CryptoHasher("md5")).digest("hex");
  }

  /** Which worker hashes this body (null: none, or not decided yet). */
  get workerId(): number | null {
    return this.remote?.w.id ?? null;
  }

  /** Where this body is hashed: decided by the first update. */
  get where(): "worker" | "here" | "undecided" {
    if (this.remote) return "worker";
    return this.local ? "here" : "undecided";
  }

  /** Frees the worker's state of a body that never reached `hex` (an aborted upload). */
  dispose(): void {
    if (this.remote && !this.finished) this.remote.w.post({ op: "drop", id: this.remote.id });
    this.finish();
  }

  private finish(): void {
    if (this.remote && !this.finished) this.remote.w.bodies--;
    this.finished = true;
  }

  private choose(first: { length: number }): void {
    const w = first.length >= MIN_OFFLOAD ? hashWorker() : null;
    if (w) {
      w.bodies++;
      this.remote = { w, id: nextId++ };
    } else this.local = new Bun.CryptoHasher("md5");
  }
}

function copyToShared(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}
