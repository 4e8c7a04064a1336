import { expect, test } from "bun:test";
import { QuietTrim } from "./quiet-trim";

function pool() {
  const s = { now: 0, lastTake: 0, held: 3, trims: 0 };
  const q = new QuietTrim({ quietMs: () => 10, lastTake: () => s.lastTake, now: () => s.now, holding: () => s.held > 0, trim: () => void (s.trims++, (s.held = 0)) });
  return { s, q };
}

test("trims only once nothing was taken for a quiet spell, looking again while it holds something", async () => {
  const { s, q } = pool();
  q.arm();
  q.arm(); // one look due at a time
  s.now = 5; // taken 5 ms ago at the first look: kept, and looked at again
  await Bun.sleep(25);
  expect(s.trims).toBe(0);
  s.now = 100;
  for (let i = 0; i < 50 && s.trims === 0; i++) await Bun.sleep(5);
  expect(s.trims).toBe(1);
  expect(s.held).toBe(0);
  await Bun.sleep(30); // holding nothing: no more looks
  expect(s.trims).toBe(1);
});

test("cancel stops a look that was due", async () => {
  const { s, q } = pool();
  s.now = 100;
  q.arm();
  q.cancel();
  await Bun.sleep(30);
  expect(s.trims).toBe(0);
});
