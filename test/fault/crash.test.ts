/**
 * Crash safety of LocalDrive: a child process commits objects (meta-only and with staged data)
 * and is SIGKILLed at random moments; after each kill the drive is reopened and checked.
 * Every acknowledged write must read back identical, an object written while the kill landed
 * must be its old or its new complete version (never absent, never partial), the walk must
 * show exactly the readable objects, and cleanupTmp must leave tmp empty.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DriveError, LocalDrive } from "../../src/storage/index";
import { keysFor, parseMeta, sha256 } from "../fixtures/crash-writer";

const WRITER = join(import.meta.dir, "../fixtures/crash-writer.ts");
const MIN_ROUNDS = 20;
const MAX_ROUNDS = 30;
/** Rounds beyond MIN_ROUNDS only while the test is younger than this (slow, shared machines). */
const BUDGET_MS = 15_000;

interface KeyState {
  /** sha256 of the last acknowledged (or, after a kill, the observed) meta; null = absent. */
  acked: string | null;
  inflight: boolean;
}

interface Subject {
  root: string;
  model: Map<string, KeyState>;
}

const parent = await mkdtemp(join(tmpdir(), "cairn-crash-"));
afterAll(() => rm(parent, { recursive: true, force: true }));

type Writer = ReturnType<typeof spawnWriter>;

/** Starts a writer process; it loads its modules, then waits for "go" on stdin. */
function spawnWriter(root: string) {
  return Bun.spawn([process.execPath, WRITER, root], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
}

/** Lets the writer run until a random moment after its first acknowledgement, then SIGKILLs it. */
async function runAndKill(proc: Writer): Promise<string> {
  let text = "";
  let firstAck: () => void = () => undefined;
  const acked = new Promise<void>((resolve) => (firstAck = resolve));
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes('"a"')) firstAck();
    }
    firstAck();
  })();
  proc.stdin.write("go\n");
  await proc.stdin.flush();
  await acked;
  await Bun.sleep(Math.random() * 120);
  proc.kill("SIGKILL");
  await proc.exited;
  await reading;
  expect(proc.signalCode).toBe("SIGKILL"); // it must not have died of its own error
  return text;
}

function apply(model: Map<string, KeyState>, output: string): number {
  let acks = 0;
  for (const line of output.split("\n")) {
    if (!line.endsWith("}")) continue; // an unfinished last line
    const msg = JSON.parse(line) as { b?: string; a?: string; h?: string };
    if (msg.b !== undefined) {
      const s = model.get(msg.b) ?? { acked: null, inflight: false };
      model.set(msg.b, { ...s, inflight: true });
    } else if (msg.a !== undefined) {
      model.set(msg.a, { acked: msg.h!, inflight: false });
      acks++;
    }
  }
  return acks;
}

async function readObject(drive: LocalDrive, key: string): Promise<Uint8Array | null> {
  try {
    return await drive.readMeta("v", key);
  } catch (e) {
    if (e instanceof DriveError && e.kind === "FileNotFound") return null;
    throw e;
  }
}

/** Checks a complete object: self-verifying meta and, if it has data, the data's hash. */
async function expectComplete(drive: LocalDrive, key: string, meta: Uint8Array): Promise<void> {
  const info = parseMeta(meta);
  expect(info).not.toBeNull();
  if (info?.dataDir) {
    const data = await drive.readFile("v", key, info.dataDir, "part.1", 0, info.length);
    expect(sha256(data)).toBe(info.sha);
  }
}

async function verify({ root, model }: Subject): Promise<void> {
  const drive = await LocalDrive.open(root);
  const present = new Set<string>();
  for (const [key, state] of model) {
    const meta = await readObject(drive, key);
    if (meta === null) {
      expect({ key, acked: state.acked }).toEqual({ key, acked: null });
      continue;
    }
    present.add(key);
    await expectComplete(drive, key, meta);
    if (!state.inflight) expect({ key, h: sha256(meta) }).toEqual({ key, h: state.acked! });
    // The writer is dead: what is on disk now is the state the next round builds on.
    model.set(key, { acked: sha256(meta), inflight: false });
  }
  const walked: string[] = [];
  for await (const e of drive.walk("v")) {
    walked.push(e.key);
    await expectComplete(drive, e.key, e.meta);
  }
  expect(walked).toEqual([...present].sort());
  await drive.cleanupTmp();
  expect(await readdir(join(root, ".cairn.sys/tmp"))).toEqual([]);
}

test(`SIGKILL at random moments never loses an acknowledged write (≥ ${MIN_ROUNDS} rounds)`, async () => {
  const subject: Subject = { root: join(parent, "drive"), model: new Map() };
  const started = performance.now();
  // Writers are started two rounds ahead: process startup, not writing, is the slow part.
  const ready: Writer[] = [spawnWriter(subject.root), spawnWriter(subject.root)];
  let acks = 0;
  let round = 0;
  try {
    for (; round < MAX_ROUNDS; round++) {
      if (round >= MIN_ROUNDS && performance.now() - started > BUDGET_MS) break;
      const writer = ready.shift()!;
      ready.push(spawnWriter(subject.root));
      acks += apply(subject.model, await runAndKill(writer));
      await verify(subject);
    }
  } finally {
    for (const w of ready) w.kill("SIGKILL");
  }
  const allKeys = [0, 1, 2, 3].flatMap(keysFor);
  expect(acks).toBeGreaterThan(round);
  expect([...subject.model.keys()].every((k) => allKeys.includes(k))).toBe(true);
  console.log(`crash test: ${round} kills, ${acks} acknowledged writes, ${allKeys.length} keys checked each round`);
}, 120_000);
