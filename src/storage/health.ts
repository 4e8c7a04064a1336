/**
 * Offline tracking for one drive. Consecutive I/O faults (EIO, EACCES, ENOTDIR where a
 * directory should be, …) beyond a threshold mark the drive offline; while offline every call
 * fails fast with DriveOffline, except that once the probe interval has passed the next call
 * runs one probe (single-flight) and, if it succeeds, the drive is online again. Probing on
 * demand instead of on a timer keeps an idle process free of background work.
 *
 * A call that outlives the deadline (a hung disk or mount) is answered with a Faulty error and
 * counted as a fault; the stuck syscall itself cannot be cancelled and finishes in the pool.
 */
import { DriveError } from "./drive";
import { isFault, toDriveError, type ErrorContext } from "./errno";

export interface RunOptions extends ErrorContext {
  /** Exempt from the deadline: calls whose work grows with the data (rm -rf of a volume). */
  unbounded?: boolean;
}

export interface HealthOptions {
  /** Consecutive faults that take the drive offline. */
  faultThreshold?: number;
  /** Time offline before a call may probe again. */
  probeIntervalMs?: number;
  /** Longest a single call may take before it counts as a fault; 0 disables. */
  deadlineMs?: number;
}

interface PendingCall {
  since: number;
  reject: (e: unknown) => void;
}

export class DriveHealth {
  private faults = 0;
  private offline = false;
  private retryAt = 0;
  private probing: Promise<boolean> | null = null;
  private readonly threshold: number;
  private readonly interval: number;
  private readonly deadline: number;
  private readonly pending = new Set<PendingCall>();
  private watchdog: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly drive: string,
    private readonly probe: () => Promise<void>,
    opts: HealthOptions = {},
  ) {
    this.threshold = opts.faultThreshold ?? 3;
    this.interval = opts.probeIntervalMs ?? 5000;
    this.deadline = opts.deadlineMs ?? 30_000;
  }

  isOnline(): boolean {
    return !this.offline;
  }

  /** Starts offline (a drive that could not be opened); the next call after the interval probes. */
  markOffline(): void {
    this.offline = true;
    this.retryAt = Date.now() + this.interval;
  }

  /** Runs one drive operation: fails fast when offline, maps errors, counts faults. */
  async run<T>(op: () => Promise<T>, opts: RunOptions = {}): Promise<T> {
    if (this.offline && !(await this.tryRecover())) {
      throw new DriveError("DriveOffline", this.drive, "offline after repeated I/O faults");
    }
    try {
      const result = opts.unbounded ? await op() : await this.withDeadline(op);
      this.faults = 0;
      return result;
    } catch (err) {
      const e = toDriveError(err, this.drive, opts);
      if (isFault(e)) this.recordFault();
      else this.faults = 0;
      throw e;
    }
  }

  /**
   * One watchdog interval per drive instead of a timer per call: per-call timers cost more
   * than a cached metadata read. Calls are rejected between 1 and 1.25 deadlines.
   */
  private withDeadline<T>(op: () => Promise<T>): Promise<T> {
    if (this.deadline <= 0) return op();
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { since: performance.now(), reject };
      const settle = () => this.pending.delete(call);
      this.pending.add(call);
      this.watchdog ??= this.startWatchdog();
      try {
        op().then(
          (v) => (settle(), resolve(v)),
          (e: unknown) => (settle(), reject(e)),
        );
      } catch (e) {
        settle();
        reject(e);
      }
    });
  }

  private startWatchdog(): ReturnType<typeof setInterval> {
    const timer = setInterval(() => {
      if (this.pending.size === 0) {
        clearInterval(timer);
        this.watchdog = null;
        return;
      }
      const now = performance.now();
      for (const call of this.pending) {
        if (now - call.since < this.deadline) break; // insertion order is start order
        this.pending.delete(call);
        call.reject(new DriveError("Faulty", this.drive, `no answer within ${this.deadline} ms`));
      }
    }, Math.max(1, this.deadline / 4));
    timer.unref?.(); // an idle process may exit with the watchdog armed
    return timer;
  }

  private recordFault(): void {
    this.faults++;
    if (this.faults >= this.threshold && !this.offline) this.markOffline();
  }

  /** Probes now if the interval has passed; true when the drive is back. */
  private async tryRecover(): Promise<boolean> {
    if (Date.now() < this.retryAt) return false;
    this.probing ??= this.probe().then(
      () => true,
      () => false,
    );
    const ok = await this.probing;
    this.probing = null;
    if (ok) {
      this.offline = false;
      this.faults = 0;
    } else {
      this.retryAt = Date.now() + this.interval;
    }
    return ok;
  }
}
