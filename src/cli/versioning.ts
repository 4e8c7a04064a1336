import { versioning } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const versioningCommand = clientCommand({
  name: "version",
  summary: "bucket versioning: enable, suspend or info",
  usage: "cairn version enable|suspend|info ALIAS/BUCKET",
  async run(args) {
    const { positionals } = parseFlags(args, {});
    await versioning(positionals);
  },
});
