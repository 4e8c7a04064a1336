import { head } from "../client";
import { parseFlags } from "./args";
import { clientCommand, positiveInt } from "./client-run";

export const headCommand = clientCommand({
  name: "head",
  summary: "print the first lines of objects or files (-n LINES, default 10)",
  usage: "cairn head [-n LINES] TARGET...",
  async run(args) {
    const { values, positionals } = parseFlags(args, { lines: { type: "string", short: "n" } });
    await head(positionals, { lines: positiveInt(values.lines, "lines", 10) });
  },
});
