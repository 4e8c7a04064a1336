/**
 * scripts/bench/procs.ts on a real process tree: a bun child (the "server") that spawns a
 * grandchild (a "worker") holding 64 MB and spinning. Tree CPU and PSS must include the
 * grandchild, and its exit must not take the tree's CPU backwards. Bounds are generous: no timings.
 */
import type { Subprocess } from "bun";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpuSecondsOf, cpuSpent, kindOf, measureTree, processTree, pssMb, THREAD_KINDS, treeCpuSeconds, treePssMb } from "../../scripts/bench/procs";

// The worker touches every page of its 64 MB, says so, then spins until killed.
const WORKER = `const b = new Uint8Array(64 << 20).fill(1); console.log("ready"); let x = 0; for (;;) x += b[x & 0xffff];`;
// The root reports the worker's pid, reaps it when it dies, and idles on.
const ROOT = `
const w = Bun.spawn([process.execPath, "-e", ${JSON.stringify(WORKER)}], { stdout: "inherit" });
console.log("worker " + w.pid);
await w.exited;
console.log("reaped");
setInterval(() => {}, 1000);`;

/** Reads a child's stdout line by line, as far as the first line `want` accepts. */
class Lines {
  private buf = "";
  constructor(private readonly reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> }) {}
  async until(want: (line: string) => boolean): Promise<string> {
    for (;;) {
      const lines = this.buf.split("\n");
      const i = lines.slice(0, -1).findIndex(want);
      if (i >= 0) {
        this.buf = lines.slice(i + 1).join("\n");
        return lines[i]!;
      }
      const { done, value } = await this.reader.read();
      if (done || !value) throw new Error(`stream ended before the line wanted; had: ${this.buf}`);
      this.buf += new TextDecoder().decode(value);
    }
  }
}

describe("process tree measurement", () => {
  let root: Subprocess<"ignore", "pipe", "inherit">;
  let out: Lines;
  let worker = 0;

  beforeAll(async () => {
    root = Bun.spawn([process.execPath, "-e", ROOT], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
    out = new Lines(root.stdout.getReader());
    worker = Number((await out.until((l) => l.startsWith("worker "))).split(" ")[1]);
    await out.until((l) => l === "ready");
  });

  afterAll(async () => {
    if (worker) {
      try {
        process.kill(worker, "SIGKILL");
      } catch {
        // already gone
      }
    }
    root.kill("SIGKILL");
    await root.exited;
  });

  test("the tree is the root and the worker it spawned", () => {
    expect(worker).toBeGreaterThan(0);
    expect(processTree(root.pid)).toEqual([root.pid, worker]);
    expect(processTree(worker)).toEqual([worker]);
  });

  test("tree PSS counts the worker's 64 MB on top of the root's own", () => {
    const own = pssMb(root.pid);
    const tree = treePssMb(root.pid);
    expect(own).toBeGreaterThan(0);
    expect(tree - own).toBeGreaterThan(40);
    expect(Math.abs(tree - own - pssMb(worker))).toBeLessThan(5);
  });

  test("tree CPU grows while the worker spins, far more than the idle root's own", async () => {
    const own0 = cpuSecondsOf(root.pid);
    const tree0 = treeCpuSeconds(root.pid);
    await Bun.sleep(1000);
    const grew = treeCpuSeconds(root.pid) - tree0;
    expect(grew).toBeGreaterThan(0.2);
    expect(grew).toBeLessThan(10);
    expect(cpuSecondsOf(root.pid) - own0).toBeLessThan(grew);
  });

  test("measureTree reports the cell's CPU and peak PSS, and a worker exiting mid-cell keeps its CPU", async () => {
    const before = treeCpuSeconds(root.pid);
    const m = await measureTree(root.pid, async () => {
      await Bun.sleep(500);
      process.kill(worker, "SIGKILL");
      await out.until((l) => l === "reaped");
      return "done";
    });
    worker = 0;
    expect(m.value).toBe("done");
    expect(m.peakPssMb).toBeGreaterThan(40);
    expect(m.cpuSec).toBeGreaterThan(0.1);
    // The reaped worker's time moved into the root's cutime: the tree total did not drop.
    expect(processTree(root.pid)).toEqual([root.pid]);
    expect(treeCpuSeconds(root.pid)).toBeGreaterThanOrEqual(before + m.cpuSec - 0.05);
    expect(treePssMb(root.pid)).toBeLessThan(m.peakPssMb - 40);
  });

  test("a gone root reads NaN, and a shrinking total is floored at 0", () => {
    expect(treeCpuSeconds(2 ** 22 + 1)).toBeNaN();
    expect(treePssMb(2 ** 22 + 1)).toBeNaN();
    expect(cpuSpent(5, 3)).toBe(0);
    expect(cpuSpent(3, 5)).toBe(2);
    expect(cpuSpent(3, NaN)).toBeNaN();
  });
});

// A Web Worker of the child does a fixed amount of work (~0.6 s of CPU, however long the
// machine's load makes it take) and stays alive (an ended thread's CPU is no longer its own),
// while the child's event loop only waits for it.
const BUSY_WORKER = `let h = 0; const b = new Uint8Array(1 << 20); for (let i = 0; i < 12000; i++) h ^= Number(Bun.hash.xxHash3(b.fill(i & 255))); postMessage(h); setInterval(() => {}, 1000);`;
const WAITER = `
const w = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(BUSY_WORKER)}], { type: "application/javascript" })));
w.onmessage = () => console.log("done");
console.log("started");
setInterval(() => {}, 1000);`;

describe("CPU by kind of thread", () => {
  test("a cell whose work runs in a Worker is split to workers, not to the event loop", async () => {
    const child = Bun.spawn([process.execPath, "-e", WAITER], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
    try {
      const lines = new Lines(child.stdout.getReader());
      await lines.until((l) => l === "started");
      const m = await measureTree(child.pid, () => lines.until((l) => l === "done"));
      const t = m.cpuByThread;
      expect(t.workers).toBeGreaterThan(0.3);
      expect(t.workers).toBeGreaterThan(t.main);
      // Every second of the tree's CPU is in exactly one kind.
      const sum = THREAD_KINDS.reduce((s, k) => s + t[k], 0);
      expect(sum).toBeGreaterThanOrEqual(m.cpuSec - 0.02);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
  });

  test("threads are told apart by pid and name", () => {
    expect(kindOf(10, 10, "cairn")).toBe("main");
    expect(kindOf(10, 11, "Worker")).toBe("workers");
    expect(kindOf(10, 12, "JITWorker")).toBe("jit");
    expect(kindOf(10, 13, "HeapHelper")).toBe("gc");
    expect(kindOf(10, 14, "mi-scavenger")).toBe("gc");
    expect(kindOf(10, 14, "ollector Thread")).toBe("gc");
    expect(kindOf(10, 15, "Bun Pool 3")).toBe("pool");
    expect(kindOf(10, 16, "HTTP Client")).toBe("other");
  });
});
