import { find } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const findCommand = clientCommand({
  name: "find",
  summary: "find objects or files by name glob, size and age",
  usage: "cairn find [--name GLOB] [--larger SIZE] [--smaller SIZE] [--older-than AGE] [--newer-than AGE] [--json] TARGET",
  async run(args) {
    const { values, positionals } = parseFlags(args, {
      name: { type: "string" },
      larger: { type: "string" },
      smaller: { type: "string" },
      "older-than": { type: "string" },
      "newer-than": { type: "string" },
      json: { type: "boolean" },
    });
    for (const target of positionals) {
      await find(target, { ...values, olderThan: values["older-than"], newerThan: values["newer-than"] });
    }
  },
});
