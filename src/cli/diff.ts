import { diff } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const diffCommand = clientCommand({
  name: "diff",
  summary: "list differences between two trees: only in source (<), only in target (>), differ by size/etag (!)",
  usage: "cairn diff [--json] SOURCE TARGET",
  async run(args) {
    const { values, positionals } = parseFlags(args, { json: { type: "boolean" } });
    await diff(positionals, values);
  },
});
