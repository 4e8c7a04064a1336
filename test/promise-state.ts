/**
 * What became of a promise after the tasks queued so far have run: "pending" when it is still
 * waiting (the tests use it to show a caller was not answered yet).
 */
export async function promiseState(p: Promise<unknown>): Promise<"pending" | "resolved" | "rejected"> {
  let state: "pending" | "resolved" | "rejected" = "pending";
  p.then(
    () => (state = "resolved"),
    () => (state = "rejected"),
  );
  await Bun.sleep(0);
  await Bun.sleep(0);
  return state;
}
