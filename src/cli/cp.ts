import { cp } from "../client";
import { parseFlags } from "./args";
import { clientCommand, positiveInt, TRANSFER_FLAGS, transferOptions } from "./client-run";

export const cpCommand = clientCommand({
  name: "cp",
  summary: "copy files and objects (-r trees, multipart with parallel parts, --continue resumes, --attr metadata)",
  usage: "cairn cp [-r] [--attr 'K=V;…'] [--continue] [--part-size 16MiB] [--parallel 4] [--download-parallel 1] [--workers 8] [--quiet|--json] SOURCE... TARGET",
  async run(args) {
    const { values, positionals } = parseFlags(args, {
      ...TRANSFER_FLAGS,
      recursive: { type: "boolean", short: "r" },
      workers: { type: "string" },
    });
    const t = transferOptions(values);
    await cp(positionals, { ...t, recursive: values.recursive, workers: positiveInt(values.workers, "workers", 8) });
    t.progress.end();
  },
});
