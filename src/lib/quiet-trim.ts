/**
 * The quiet-spell trim of a pool of idle buffers: once armed, it looks every `quietMs`; if
 * nothing was taken for `quietMs` it calls `trim`, and it looks again while the pool still holds
 * something (`holding`). The erasure buffer pool and the O_DIRECT stage pool both use it, so
 * a burst of work does not leave a quiet server holding its peak. Its timer never keeps a
 * finished process (a test, a CLI run) alive.
 */
export interface QuietTrimOptions {
  /** Read at every arming: tests shorten it. */
  quietMs: () => number;
  /** When the pool was last taken from, on `now`'s clock. */
  lastTake: () => number;
  now: () => number;
  holding: () => boolean;
  trim: () => void;
}

export class QuietTrim {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly o: QuietTrimOptions) {}

  /** Looks after a quiet spell; a no-op while a look is already due. */
  arm(): void {
    if (this.timer) return;
    const quiet = this.o.quietMs();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.o.now() - this.o.lastTake() >= quiet) this.o.trim();
      if (this.o.holding()) this.arm();
    }, quiet);
    this.timer.unref?.();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
