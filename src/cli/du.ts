import { du } from "../client";
import { parseFlags } from "./args";
import { clientCommand, positiveInt } from "./client-run";

export const duCommand = clientCommand({
  name: "du",
  summary: "total size and object count under a prefix or directory (-d 1: per first-level prefix)",
  usage: "cairn du [-d DEPTH] [--json] TARGET...",
  async run(args) {
    const { values, positionals } = parseFlags(args, { depth: { type: "string", short: "d" }, json: { type: "boolean" } });
    const depth = values.depth === "0" ? 0 : positiveInt(values.depth, "depth", 0);
    for (const target of positionals) await du(target, { depth, json: values.json });
  },
});
