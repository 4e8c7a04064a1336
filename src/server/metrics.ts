/**
 * Prometheus text metrics: counters and latency histograms kept in memory, rendered on scrape.
 * Drive states and the layer's heal/quorum counters are read at scrape time so they are never
 * stale. Recording a request costs a few map lookups and array increments: the per-API state is
 * allocated once, on that API's first request.
 */
import type { LayerStats, StorageInfo } from "../object";

/** Upper bounds (seconds) of the latency buckets; +Inf is implied after the last. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LE_LABELS = [...LATENCY_BUCKETS.map(String), "+Inf"];

export interface RequestSample {
  api: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
  /** From arrival until the response head was ready (for a streamed GET: time to first byte). */
  seconds: number;
  /** The S3 error code of an error answer. */
  errorCode?: string;
}

/** What a scrape reads besides the counters kept here. */
export interface ScrapeState {
  storage: StorageInfo | null;
  /** Requests being served besides the scrape itself. */
  inFlight: number;
  events: LayerStats | null;
}

class ApiStats {
  readonly statuses = new Map<number, number>();
  readonly errors = new Map<string, number>();
  /** Observations per bucket, not cumulative (the scrape sums them); the last slot is +Inf. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

type Declare = (name: string, type: string, help: string) => void;

/** One process's counters as plain data, for the scrape of a server of several processes (cluster.ts). */
export interface MetricsSnapshot {
  started: number;
  bytesIn: number;
  bytesOut: number;
  inFlight: number;
  events: LayerStats | null;
  apis: [string, { statuses: [number, number][]; errors: [string, number][]; buckets: number[]; sum: number; count: number }][];
}

function addInto<K>(into: Map<K, number>, entries: [K, number][]): void {
  for (const [k, n] of entries) into.set(k, (into.get(k) ?? 0) + n);
}

function sumRecords<T extends Record<string, number>>(a: T, b: T): T {
  const out = { ...a };
  for (const [k, n] of Object.entries(b)) (out as Record<string, number>)[k] = (a[k] ?? 0) + n;
  return out;
}

function sumEvents(all: (LayerStats | null)[]): LayerStats | null {
  return all.reduce<LayerStats | null>(
    (acc, e) => (!e ? acc : !acc ? e : { heal: sumRecords(acc.heal, e.heal), quorumFailures: sumRecords(acc.quorumFailures, e.quorumFailures) }),
    null,
  );
}

export class Metrics {
  private readonly apis = new Map<string, ApiStats>();
  private bytesIn = 0;
  private bytesOut = 0;
  private started = Date.now();

  snapshot(inFlight: number, events: LayerStats | null): MetricsSnapshot {
    const apis = [...this.apis].map(([name, a]) => [
      name,
      { statuses: [...a.statuses], errors: [...a.errors], buckets: [...a.buckets], sum: a.sum, count: a.count },
    ]) as MetricsSnapshot["apis"];
    return { started: this.started, bytesIn: this.bytesIn, bytesOut: this.bytesOut, inFlight, events, apis };
  }

  /** Every process's counters summed; uptime counts from the earliest start. */
  static merge(snapshots: MetricsSnapshot[]): { metrics: Metrics; inFlight: number; events: LayerStats | null } {
    const m = new Metrics();
    m.started = Math.min(...snapshots.map((s) => s.started));
    for (const s of snapshots) {
      m.bytesIn += s.bytesIn;
      m.bytesOut += s.bytesOut;
      for (const [name, a] of s.apis) {
        let api = m.apis.get(name);
        if (!api) m.apis.set(name, (api = new ApiStats()));
        addInto(api.statuses, a.statuses);
        addInto(api.errors, a.errors);
        a.buckets.forEach((n, i) => (api.buckets[i]! += n));
        api.sum += a.sum;
        api.count += a.count;
      }
    }
    const inFlight = snapshots.reduce((n, s) => n + s.inFlight, 0);
    return { metrics: m, inFlight, events: sumEvents(snapshots.map((s) => s.events)) };
  }

  record(s: RequestSample): void {
    let api = this.apis.get(s.api);
    if (!api) this.apis.set(s.api, (api = new ApiStats()));
    api.statuses.set(s.status, (api.statuses.get(s.status) ?? 0) + 1);
    if (s.errorCode !== undefined) api.errors.set(s.errorCode, (api.errors.get(s.errorCode) ?? 0) + 1);
    api.observe(s.seconds);
    this.bytesIn += s.bytesIn;
    this.bytesOut += s.bytesOut;
  }

  /** Total requests recorded for one API label (all statuses). */
  count(api: string): number {
    return this.apis.get(api)?.count ?? 0;
  }

  render(state: ScrapeState): string {
    const out: string[] = [];
    const declare: Declare = (name, type, help) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    this.renderRequests(declare, out);
    declare("cairn_s3_traffic_received_bytes", "counter", "Request body bytes received (declared Content-Length)");
    out.push(`cairn_s3_traffic_received_bytes ${this.bytesIn}`);
    declare("cairn_s3_traffic_sent_bytes", "counter", "Response body bytes sent (declared Content-Length)");
    out.push(`cairn_s3_traffic_sent_bytes ${this.bytesOut}`);
    declare("cairn_s3_requests_in_flight", "gauge", "Requests being served, besides this scrape");
    out.push(`cairn_s3_requests_in_flight ${state.inFlight}`);
    declare("cairn_uptime_seconds", "gauge", "Seconds since the server started");
    out.push(`cairn_uptime_seconds ${Math.floor((Date.now() - this.started) / 1000)}`);
    if (state.storage) renderStorage(state.storage, declare, out);
    if (state.events) renderEvents(state.events, declare, out);
    return out.join("\n") + "\n";
  }

  private renderRequests(declare: Declare, out: string[]): void {
    declare("cairn_s3_requests_total", "counter", "S3 requests by API and HTTP status");
    for (const [name, api] of this.apis) {
      for (const [status, n] of api.statuses) out.push(`cairn_s3_requests_total{api="${escapeLabel(name)}",status="${status}"} ${n}`);
    }
    declare("cairn_s3_errors_total", "counter", "S3 error answers by API and S3 error code");
    for (const [name, api] of this.apis) {
      for (const [code, n] of api.errors) out.push(`cairn_s3_errors_total{api="${escapeLabel(name)}",code="${escapeLabel(code)}"} ${n}`);
    }
    const h = "cairn_s3_request_duration_seconds";
    declare(h, "histogram", "Seconds from a request's arrival until its response head is ready, by API");
    for (const [name, api] of this.apis) {
      const label = `api="${escapeLabel(name)}"`;
      let cumulative = 0;
      api.buckets.forEach((n, i) => {
        cumulative += n;
        out.push(`${h}_bucket{${label},le="${LE_LABELS[i]}"} ${cumulative}`);
      });
      out.push(`${h}_sum{${label}} ${api.sum}`, `${h}_count{${label}} ${api.count}`);
    }
  }
}

function renderEvents(events: LayerStats, declare: Declare, out: string[]): void {
  declare("cairn_heal_objects_total", "counter", "Object heals by outcome (healed, clean: nothing to do, failed)");
  for (const [result, n] of Object.entries(events.heal)) out.push(`cairn_heal_objects_total{result="${result}"} ${n}`);
  declare("cairn_quorum_failures_total", "counter", "Operations that failed for want of read or write quorum");
  for (const [op, n] of Object.entries(events.quorumFailures)) out.push(`cairn_quorum_failures_total{op="${op}"} ${n}`);
}

function renderStorage(storage: StorageInfo, declare: Declare, out: string[]): void {
  declare("cairn_drive_online", "gauge", "1 when the drive is online and formatted");
  for (const d of storage.drives) {
    out.push(`cairn_drive_online{drive="${escapeLabel(d.endpoint)}",state="${d.state}"} ${d.state === "ok" ? 1 : 0}`);
  }
  declare("cairn_drive_total_bytes", "gauge", "Drive capacity");
  for (const d of storage.drives) out.push(`cairn_drive_total_bytes{drive="${escapeLabel(d.endpoint)}"} ${d.total}`);
  declare("cairn_drive_free_bytes", "gauge", "Drive free space");
  for (const d of storage.drives) out.push(`cairn_drive_free_bytes{drive="${escapeLabel(d.endpoint)}"} ${d.free}`);
  const online = storage.drives.filter((d) => d.state === "ok").length;
  declare("cairn_drives_online", "gauge", "Drives online");
  out.push(`cairn_drives_online ${online}`);
  declare("cairn_drives_offline", "gauge", "Drives offline or unformatted");
  out.push(`cairn_drives_offline ${storage.drives.length - online}`);
  declare("cairn_cluster_write_quorum", "gauge", "1 when every set has write quorum");
  out.push(`cairn_cluster_write_quorum ${storage.writable ? 1 : 0}`);
  declare("cairn_cluster_read_quorum", "gauge", "1 when every set has read quorum");
  out.push(`cairn_cluster_read_quorum ${storage.readable ? 1 : 0}`);
}
