/**
 * DESIGN.md §1 arrows, enforced: dependency-cruiser over src/ and ffi/ with the rules in
 * .dependency-cruiser.cjs (no cycles, elysia only in src/server, bun:ffi only in ffi/, …).
 */
import { expect, test } from "bun:test";
import { cruise } from "dependency-cruiser";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

async function violationsIn(paths: string[]) {
  const config = require(join(root, ".dependency-cruiser.cjs"));
  const result = await cruise(paths, { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden }, baseDir: root });
  return result.output as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number };
  };
}

test("the dependency arrows of DESIGN.md hold", async () => {
  const output = await violationsIn(["src", "ffi"]);
  const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  expect(violations).toEqual([]);
  // A silently empty cruise (e.g. TypeScript support missing) would make this test vacuous.
  expect(output.summary.totalCruised).toBeGreaterThan(10);
});

test("the rules catch a violation (the cruiser really parses our TypeScript)", async () => {
  const output = await violationsIn(["test/fixtures/arch-violation"]);
  expect(output.summary.violations.map((v) => v.rule.name)).toContain("bun-ffi-only-in-ffi");
});
