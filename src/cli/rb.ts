import { rb } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const rbCommand = clientCommand({
  name: "rb",
  summary: "remove buckets (--force: remove every object, version and open upload first)",
  usage: "cairn rb [--force] ALIAS/BUCKET...",
  async run(args) {
    const { values, positionals } = parseFlags(args, { force: { type: "boolean" } });
    await rb(positionals, values);
  },
});
