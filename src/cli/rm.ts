import { rm } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const rmCommand = clientCommand({
  name: "rm",
  summary: "remove objects (-r prefix, --versions all versions, --older-than AGE; asks unless --force)",
  usage: "cairn rm [-r] [--versions] [--older-than 7d] [--force] [--dry-run] [--quiet|--json] ALIAS/BUCKET/KEY...",
  async run(args) {
    const { values, positionals } = parseFlags(args, {
      recursive: { type: "boolean", short: "r" },
      versions: { type: "boolean" },
      "older-than": { type: "string" },
      force: { type: "boolean" },
      "dry-run": { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      json: { type: "boolean" },
    });
    await rm(positionals, { ...values, olderThan: values["older-than"], dryRun: values["dry-run"] });
  },
});
