/**
 * xl.meta codec micro-benchmark: encode/decode µs per file for 1 and 100 versions, and the
 * cost of each decode stage (msgpack pre-scan, msgpackr, hand-rolled validation) next to a zod
 * schema of the same wire shape, which is what decided the validator (see the report line).
 *
 *   bun scripts/bench-xlmeta.ts            table
 *   bun scripts/bench-xlmeta.ts --json     JSON
 */
import { Packr } from "msgpackr";
import { z } from "zod";
import { decodeXlMeta, encodeXlMeta, type XlMeta } from "../src/xlmeta/index";
import { randXlMeta, rngFromSeed } from "../src/xlmeta/arbitrary";
import { bodyFromWire } from "../src/xlmeta/wire";
import { checkMsgpack } from "../src/xlmeta/msgpack-guard";

const packr = new Packr({ useRecords: false, int64AsType: "bigint", mapsAsObjects: true });

const strMap = z.array(z.string());
const zodBody = z.object({
  v: z.array(
    z.union([
      z.object({ t: z.literal(2), id: z.string().nullable(), mt: z.bigint().nonnegative() }),
      z.object({
        t: z.literal(1),
        id: z.string().nullable(),
        mt: z.bigint().nonnegative(),
        sz: z.number().int().nonnegative(),
        et: z.string(),
        cs: strMap.optional(),
        ck: z.enum(["COMPOSITE", "FULL_OBJECT"]).optional(),
        sc: z.string(),
        md: strMap,
        pt: z.array(
          z.object({ n: z.number().int().min(1).max(10000), sz: z.number().int().nonnegative(), et: z.string(), cs: strMap.optional() }),
        ),
        ec: z.object({
          al: z.string(),
          k: z.number().int().min(1),
          m: z.number().int().min(0),
          bs: z.number().int().min(1),
          ix: z.number().int().min(1),
          ds: z.array(z.number().int().min(1)),
          br: z.literal("xxh3-64"),
        }),
        dd: z.string().nullable(),
        il: z.boolean(),
      }),
    ]),
  ),
  i: z.array(z.tuple([z.string(), z.number().int().nonnegative()])),
});

/** Median µs per call over `rounds` timed batches. */
function measure(fn: () => unknown, iterations: number): number {
  for (let i = 0; i < iterations; i++) fn(); // warm up the JIT
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    rounds.push(((performance.now() - start) * 1000) / iterations);
  }
  rounds.sort((a, b) => a - b);
  return rounds[3]!;
}

interface Case {
  name: string;
  meta: XlMeta;
}

const cases: Case[] = [
  { name: "1 version, no inline", meta: randXlMeta(rngFromSeed(3), { versions: 1, maxInline: 0 }) },
  { name: "1 version, 128 KiB inline", meta: oneInline(128 * 1024) },
  { name: "100 versions, no inline", meta: randXlMeta(rngFromSeed(4), { versions: 100, maxInline: 0 }) },
  { name: "100 versions, inline ≤ 4 KiB", meta: randXlMeta(rngFromSeed(5), { versions: 100, maxInline: 4096 }) },
];

function oneInline(size: number): XlMeta {
  for (let seed = 1; ; seed++) {
    const meta = randXlMeta(rngFromSeed(seed), { versions: 1, maxInline: 0 });
    const v = meta.versions[0]!;
    if (v.type !== "object" || !v.inline) continue;
    return { versions: [v], inline: new Map([[v.versionId ?? "null", new Uint8Array(size).fill(7)]]) };
  }
}

const rows = cases.map(({ name, meta }) => {
  const bytes = encodeXlMeta(meta);
  const bodyLen = new DataView(bytes.buffer).getUint32(12, true);
  const body = bytes.subarray(24, 24 + bodyLen);
  const wire = packr.unpack(body);
  const n = meta.versions.length > 10 ? 2000 : 20000;
  return {
    case: name,
    bytes: bytes.length,
    encodeUs: measure(() => encodeXlMeta(meta), n),
    decodeUs: measure(() => decodeXlMeta(bytes), n),
    prescanUs: measure(() => checkMsgpack(body), n),
    msgpackrUs: measure(() => packr.unpack(body), n),
    handValidateUs: measure(() => bodyFromWire(wire), n),
    zodValidateUs: measure(() => zodBody.parse(wire), n),
  };
});

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const fmt = (x: number) => x.toFixed(2).padStart(9);
  console.log(
    "case".padEnd(30) + "bytes".padStart(9) + "encode µs".padStart(11) + "decode µs".padStart(11) +
      "  (prescan   msgpackr  hand-val   zod-val µs)",
  );
  for (const r of rows) {
    console.log(
      r.case.padEnd(30) + String(r.bytes).padStart(9) + fmt(r.encodeUs).padStart(11) + fmt(r.decodeUs).padStart(11) +
        `  ${fmt(r.prescanUs)} ${fmt(r.msgpackrUs)} ${fmt(r.handValidateUs)} ${fmt(r.zodValidateUs)}`,
    );
  }
}
