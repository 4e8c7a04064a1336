import { cat } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const catCommand = clientCommand({
  name: "cat",
  summary: "stream objects or files to stdout",
  usage: "cairn cat [--version-id ID] TARGET...",
  async run(args) {
    const { values, positionals } = parseFlags(args, { "version-id": { type: "string" } });
    await cat(positionals, { versionId: values["version-id"] });
  },
});
