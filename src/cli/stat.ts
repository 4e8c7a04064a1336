import { stat } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const statCommand = clientCommand({
  name: "stat",
  summary: "show an object's size, ETag, type, version and metadata (--json)",
  usage: "cairn stat [--json] [--version-id ID] TARGET...",
  async run(args) {
    const { values, positionals } = parseFlags(args, { json: { type: "boolean" }, "version-id": { type: "string" } });
    await stat(positionals, { json: values.json, versionId: values["version-id"] });
  },
});
