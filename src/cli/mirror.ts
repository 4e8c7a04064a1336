import { mirror } from "../client";
import { parseFlags } from "./args";
import { clientCommand, positiveInt, TRANSFER_FLAGS, transferOptions } from "./client-run";

export const mirrorCommand = clientCommand({
  name: "mirror",
  summary: "one-way sync of a tree (--overwrite, --remove, --dry-run, --exclude GLOB, --watch)",
  usage: "cairn mirror [--overwrite] [--remove] [--dry-run] [--exclude GLOB]... [--workers 8] [--watch] [--quiet|--json] SOURCE TARGET",
  async run(args) {
    const { values, positionals } = parseFlags(args, {
      ...TRANSFER_FLAGS,
      overwrite: { type: "boolean" },
      remove: { type: "boolean" },
      "dry-run": { type: "boolean" },
      exclude: { type: "string", multiple: true },
      workers: { type: "string" },
      watch: { type: "boolean", short: "w" },
    });
    const t = transferOptions(values);
    await mirror(positionals, {
      ...t,
      overwrite: values.overwrite,
      remove: values.remove,
      dryRun: values["dry-run"],
      exclude: values.exclude ?? [],
      workers: positiveInt(values.workers, "workers", 8),
      watch: values.watch,
    });
    t.progress.end();
  },
});
