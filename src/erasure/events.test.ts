/**
 * The layer's event counters (`stats()`), on real temp drives: heals by outcome and quorum
 * failures by operation. The counters are process-wide, so every assertion compares deltas.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { LayerStats } from "../object/index";
import { FaultyDrive, LocalDrive } from "../storage/index";
import { body, bytes, meta, rejectsWith, tempDrives } from "../../test/suites/helpers";
import { openErasureLayer, type ErasureLayer } from "./index";

const B = "events";
const t = tempDrives(4);
let faulty: FaultyDrive[] = [];
let L: ErasureLayer;

function delta(before: LayerStats): { heal: LayerStats["heal"]; quorumFailures: LayerStats["quorumFailures"] } {
  const now = L.stats();
  return {
    heal: { healed: now.heal.healed - before.heal.healed, clean: now.heal.clean - before.heal.clean, failed: now.heal.failed - before.heal.failed },
    quorumFailures: { read: now.quorumFailures.read - before.quorumFailures.read, write: now.quorumFailures.write - before.quorumFailures.write },
  };
}

async function put(key: string, size: number): Promise<void> {
  await L.putObject(B, key, body(bytes(size)), { size, metadata: meta(), versioning: "unversioned" });
}

beforeAll(async () => {
  faulty = await Promise.all(t.drives.map(async (d) => new FaultyDrive(await LocalDrive.open(d))));
  L = await openErasureLayer({ drives: t.drives, driveImpls: faulty, parity: 2 });
  await L.makeBucket(B);
});
afterAll(async () => {
  await L.close();
  t.cleanup();
});

test("a heal that rebuilds a lost object counts healed; healing it again counts clean; dry runs and absent keys count nothing", async () => {
  await put("lost", 300_000);
  rmSync(join(t.drives[0]!, B, "lost"), { recursive: true });
  const before = L.stats();
  await L.healObject(B, "lost", { dryRun: true });
  expect(delta(before).heal).toEqual({ healed: 0, clean: 0, failed: 0 });
  expect((await L.healObject(B, "lost")).objectsHealed).toBe(1);
  expect(delta(before).heal).toEqual({ healed: 1, clean: 0, failed: 0 });
  await L.healObject(B, "lost");
  expect(delta(before).heal).toEqual({ healed: 1, clean: 1, failed: 0 });
  await rejectsWith(L.healObject(B, "never-written"), "ObjectNotFound");
  expect(delta(before).heal).toEqual({ healed: 1, clean: 1, failed: 0 });
});

test("a heal that cannot reach quorum counts failed", async () => {
  await put("unreachable", 1000);
  const before = L.stats();
  for (const f of faulty.slice(0, 3)) f.offline = true;
  try {
    await rejectsWith(L.healObject(B, "unreachable"), "InsufficientReadQuorum");
  } finally {
    for (const f of faulty) f.offline = false;
  }
  expect(delta(before).heal.failed).toBe(1);
});

test("reads and writes without quorum are counted by operation", async () => {
  await put("q", 1000);
  const before = L.stats();
  for (const f of faulty.slice(0, 3)) f.offline = true;
  try {
    await rejectsWith(L.getObject(B, "q"), "InsufficientReadQuorum");
    await rejectsWith(L.getObject(B, "q"), "InsufficientReadQuorum");
    await rejectsWith(L.putObject(B, "q2", body(bytes(10)), { size: 10, metadata: meta(), versioning: "unversioned" }), "InsufficientWriteQuorum");
  } finally {
    for (const f of faulty) f.offline = false;
  }
  expect(delta(before).quorumFailures).toEqual({ read: 2, write: 1 });
  await put("q3", 10);
  expect(delta(before).quorumFailures).toEqual({ read: 2, write: 1 });
});
