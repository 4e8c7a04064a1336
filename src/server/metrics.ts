/**
 * Prometheus text metrics: simple counters kept in memory, rendered on scrape. Drive states are
 * read from the layer at scrape time so they are never stale.
 */
import type { StorageInfo } from "../object";

export interface RequestSample {
  api: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export class Metrics {
  private readonly requests = new Map<string, { api: string; status: number; count: number }>();
  private bytesIn = 0;
  private bytesOut = 0;
  private readonly started = Date.now();

  record(s: RequestSample): void {
    const id = `${s.api}\u0000${s.status}`;
    const entry = this.requests.get(id);
    if (entry) entry.count++;
    else this.requests.set(id, { api: s.api, status: s.status, count: 1 });
    this.bytesIn += s.bytesIn;
    this.bytesOut += s.bytesOut;
  }

  /** Total requests recorded for one API label (all statuses); for tests and the console. */
  count(api: string): number {
    let n = 0;
    for (const e of this.requests.values()) if (e.api === api) n += e.count;
    return n;
  }

  /** `inFlight`: requests being served besides the scrape itself. */
  render(storage: StorageInfo | null, inFlight = 0): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    metric("cairn_s3_requests_total", "counter", "S3 requests by API and HTTP status");
    for (const e of this.requests.values()) {
      out.push(`cairn_s3_requests_total{api="${escapeLabel(e.api)}",status="${e.status}"} ${e.count}`);
    }
    metric("cairn_s3_traffic_received_bytes", "counter", "Request body bytes received (declared Content-Length)");
    out.push(`cairn_s3_traffic_received_bytes ${this.bytesIn}`);
    metric("cairn_s3_traffic_sent_bytes", "counter", "Response body bytes sent (declared Content-Length)");
    out.push(`cairn_s3_traffic_sent_bytes ${this.bytesOut}`);
    metric("cairn_s3_requests_in_flight", "gauge", "Requests being served, besides this scrape");
    out.push(`cairn_s3_requests_in_flight ${inFlight}`);
    metric("cairn_uptime_seconds", "gauge", "Seconds since the server started");
    out.push(`cairn_uptime_seconds ${Math.floor((Date.now() - this.started) / 1000)}`);
    if (storage) renderStorage(storage, metric, out);
    return out.join("\n") + "\n";
  }
}

function renderStorage(
  storage: StorageInfo,
  metric: (name: string, type: string, help: string) => void,
  out: string[],
): void {
  metric("cairn_drive_online", "gauge", "1 when the drive is online and formatted");
  for (const d of storage.drives) {
    out.push(`cairn_drive_online{drive="${escapeLabel(d.endpoint)}",state="${d.state}"} ${d.state === "ok" ? 1 : 0}`);
  }
  metric("cairn_drive_total_bytes", "gauge", "Drive capacity");
  for (const d of storage.drives) out.push(`cairn_drive_total_bytes{drive="${escapeLabel(d.endpoint)}"} ${d.total}`);
  metric("cairn_drive_free_bytes", "gauge", "Drive free space");
  for (const d of storage.drives) out.push(`cairn_drive_free_bytes{drive="${escapeLabel(d.endpoint)}"} ${d.free}`);
  const online = storage.drives.filter((d) => d.state === "ok").length;
  metric("cairn_drives_online", "gauge", "Drives online");
  out.push(`cairn_drives_online ${online}`);
  metric("cairn_drives_offline", "gauge", "Drives offline or unformatted");
  out.push(`cairn_drives_offline ${storage.drives.length - online}`);
  metric("cairn_cluster_write_quorum", "gauge", "1 when every set has write quorum");
  out.push(`cairn_cluster_write_quorum ${storage.writable ? 1 : 0}`);
  metric("cairn_cluster_read_quorum", "gauge", "1 when every set has read quorum");
  out.push(`cairn_cluster_read_quorum ${storage.readable ? 1 : 0}`);
}
