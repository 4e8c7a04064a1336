import { mb } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const mbCommand = clientCommand({
  name: "mb",
  summary: "make buckets (-p/--ignore-existing: no error when it exists)",
  usage: "cairn mb [-p] ALIAS/BUCKET...",
  async run(args) {
    const { values, positionals } = parseFlags(args, { "ignore-existing": { type: "boolean", short: "p" } });
    await mb(positionals, { ignoreExisting: values["ignore-existing"] });
  },
});
