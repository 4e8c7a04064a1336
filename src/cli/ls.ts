import { ls } from "../client";
import { parseFlags, UsageError } from "./args";
import { clientCommand } from "./client-run";

export const lsCommand = clientCommand({
  name: "ls",
  summary: "list buckets, objects or a local directory (-r recursive, --versions, --json)",
  usage: "cairn ls [-r] [--versions] [--json] ALIAS[/BUCKET[/PREFIX]] | PATH",
  async run(args) {
    const { values, positionals } = parseFlags(args, {
      recursive: { type: "boolean", short: "r" },
      versions: { type: "boolean" },
      json: { type: "boolean" },
    });
    if (positionals.length === 0) throw new UsageError("name what to list");
    for (const target of positionals) await ls(target, values);
  },
});
