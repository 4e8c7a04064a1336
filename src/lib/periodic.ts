/**
 * Background work that repeats: the next pass starts a full interval after the previous one
 * ended (a slow pass never overlaps the next), and stop() waits for a running pass to finish.
 */
export interface Periodic {
  stop(): Promise<void>;
}

export function runPeriodically(task: () => Promise<unknown>, opts: { intervalMs: number; onError?: (e: unknown) => void }): Periodic {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = task()
      .catch((e: unknown) => opts.onError?.(e))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs);
      });
  };
  timer = setTimeout(tick, opts.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
