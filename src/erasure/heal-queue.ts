/**
 * Background heal-on-read: a deduplicated queue worked one object at a time, so a burst of
 * degraded reads of the same object costs one heal, and healing never competes with itself.
 */
import type { HealSink } from "./set";

export type HealJob = (bucket: string, key: string, deep: boolean) => Promise<unknown>;

export class HealQueue implements HealSink {
  private readonly pending = new Map<string, { bucket: string; key: string; deep: boolean }>();
  private worker: Promise<void> | null = null;
  private closed = false;
  private job: HealJob | null = null;

  /** Set once the layer exists (the job needs it; the queue is created before it). */
  setJob(job: HealJob): void {
    this.job = job;
  }

  enqueue(bucket: string, key: string, opts: { deep?: boolean } = {}): void {
    if (this.closed) return;
    const id = `${bucket}\0${key}`;
    const deep = opts.deep === true || this.pending.get(id)?.deep === true;
    this.pending.set(id, { bucket, key, deep });
    this.worker ??= this.work().finally(() => {
      this.worker = null;
    });
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending.clear();
    await this.idle();
  }

  private async work(): Promise<void> {
    // Let the request that found the fault finish first.
    await new Promise((r) => setTimeout(r, 0));
    for (;;) {
      const next = this.pending.entries().next();
      if (next.done) return;
      const [id, item] = next.value;
      this.pending.delete(id);
      try {
        await this.job?.(item.bucket, item.key, item.deep);
      } catch {
        // A heal that cannot finish now is retried on the next degraded read or heal pass.
      }
    }
  }
}
