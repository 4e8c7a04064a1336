/**
 * One group commit for several server processes: syncfs covers the whole filesystem, whoever
 * calls it, so the other processes ask one (the leader) over a unix socket instead of each
 * flushing the device on its own (two processes each calling syncfs halved small PUTs' rate).
 *
 * The leader answers a request by joining its own group (fs-sync.ts): a syncfs that started after
 * the request arrived, so after the asker's writes, as the local group commit promises. When the
 * leader cannot answer (no group sync for that root, its syncfs failed, the socket is gone), the
 * asker runs its own syncfs: its descriptor has consumed no error, so that call reports any.
 */
import { rmSync } from "node:fs";
import { fsSyncOf } from "./fs-sync";

/** Line protocol: `<id> <root>\n` asks; `<id> ok\n` or `<id> err\n` answers. */
type Answer = { resolve: () => void; reject: (e: Error) => void };

/** Longer than a leader's syncfs takes under load; past it the asker runs its own. */
const ANSWER_TIMEOUT_MS = 10_000;

/** The whole lines of what arrived so far, and the unfinished rest to keep for the next chunk. */
function completeLines(buffered: string, chunk: string): { lines: string[]; rest: string } {
  const lines = (buffered + chunk).split("\n");
  const rest = lines.pop()!;
  return { lines, rest };
}

/** Serves group syncs at `socketPath` (replacing a socket a previous leader left). */
export function serveSyncRelay(socketPath: string): { stop(): void } {
  rmSync(socketPath, { force: true });
  const server = Bun.listen<{ buffered: string }>({
    unix: socketPath,
    socket: {
      open(sock) {
        sock.data = { buffered: "" };
      },
      data(sock, bytes) {
        const { lines, rest } = completeLines(sock.data.buffered, bytes.toString());
        sock.data.buffered = rest;
        for (const line of lines) {
          const space = line.indexOf(" ");
          const id = line.slice(0, space);
          const group = fsSyncOf(line.slice(space + 1));
          const reply = (ok: boolean) => sock.write(`${id} ${ok ? "ok" : "err"}\n`);
          if (!group) reply(false);
          else group.sync().then(() => reply(true), () => reply(false));
        }
      },
    },
  });
  return { stop: () => server.stop(true) };
}

/** The asking side: one connection, opened on first use and again after it breaks. */
export class SyncRelayClient {
  private conn: Promise<Bun.Socket<undefined>> | null = null;
  private readonly pending = new Map<number, Answer>();
  private nextId = 1;
  private buffered = "";

  constructor(
    private readonly socketPath: string,
    private readonly answerTimeoutMs = ANSWER_TIMEOUT_MS,
  ) {}

  /** Resolves once the leader's syncfs that started after this call succeeded; rejects otherwise. */
  async sync(root: string): Promise<void> {
    const sock = await (this.conn ??= this.connect());
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      // An answer that never comes (a line lost with a full socket buffer, a stuck leader)
      // must not hold a write for ever: the asker then syncs on its own.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error("sync relay: no answer in time"));
      }, this.answerTimeoutMs);
      const settle = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      this.pending.set(id, { resolve: () => settle(resolve), reject: (e) => settle(() => reject(e)) });
      sock.write(`${id} ${root}\n`);
    });
  }

  close(): void {
    void this.conn?.then((s) => s.end(), () => undefined);
  }

  private connect(): Promise<Bun.Socket<undefined>> {
    const broken = (why: string) => {
      this.conn = null;
      this.buffered = "";
      for (const a of this.pending.values()) a.reject(new Error(`sync relay: ${why}`));
      this.pending.clear();
    };
    const conn = Bun.connect({
      unix: this.socketPath,
      socket: {
        data: (_sock, bytes) => this.answer(bytes.toString()),
        close: () => broken("closed"),
        error: () => broken("error"),
      },
    });
    conn.catch(() => broken("cannot connect"));
    return conn;
  }

  private answer(chunk: string): void {
    const { lines, rest } = completeLines(this.buffered, chunk);
    this.buffered = rest;
    for (const line of lines) {
      const [id, verdict] = line.split(" ");
      const a = this.pending.get(Number(id));
      if (!a) continue;
      this.pending.delete(Number(id));
      if (verdict === "ok") a.resolve();
      else a.reject(new Error("sync relay: the leader's group sync failed"));
    }
  }
}
