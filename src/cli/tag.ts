import { tag } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const tagCommand = clientCommand({
  name: "tag",
  summary: "set, list or remove tags of an object or bucket",
  usage: 'cairn tag set TARGET "k1=v1&k2=v2" | tag ls [--json] TARGET | tag rm TARGET',
  async run(args) {
    const { values, positionals } = parseFlags(args, { json: { type: "boolean" } });
    await tag(positionals, values);
  },
});
