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
const ROUNDS = 24;

interface KeyState {
  /** sha256 of the last acknowledged (or, after a kill, the observed) meta; null = absent. */
  acked: string | null;
  inflight: boolean;
}

const root = await mkdtemp(join(tmpdir(), "cairn-crash-"));
afterAll(() => rm(root, { recursive: true, force: true }));

/** Runs the writer until a random moment after its first acknowledgement, then SIGKILLs it. */
async function runAndKill(): Promise<string> {
  const proc = Bun.spawn([process.execPath, WRITER, root], { stdout: "pipe", stderr: "pipe" });
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

async function verify(model: Map<string, KeyState>): Promise<void> {
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

test(`SIGKILL at random moments never loses an acknowledged write (${ROUNDS} rounds)`, async () => {
  const model = new Map<string, KeyState>();
  let acks = 0;
  for (let round = 0; round < ROUNDS; round++) {
    acks += apply(model, await runAndKill());
    await verify(model);
  }
  const allKeys = [0, 1, 2, 3].flatMap(keysFor);
  expect(acks).toBeGreaterThan(ROUNDS);
  expect([...model.keys()].every((k) => allKeys.includes(k))).toBe(true);
  console.log(`crash test: ${ROUNDS} kills, ${acks} acknowledged writes, ${model.size} keys checked each round`);
}, 60_000);
