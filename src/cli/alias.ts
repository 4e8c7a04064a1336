import { aliasList, aliasRemove, aliasSet } from "../client";
import { parseFlags, UsageError } from "./args";
import { clientCommand } from "./client-run";

export const aliasCommand = clientCommand({
  name: "alias",
  summary: "manage server aliases: alias set NAME URL ACCESS SECRET | alias ls [NAME] | alias rm NAME",
  usage: "cairn alias set NAME URL ACCESS SECRET [--region R] | alias ls [--json] [NAME] | alias rm NAME",
  run(args) {
    const { values, positionals } = parseFlags(args, { region: { type: "string" }, json: { type: "boolean" } });
    const [action, ...rest] = positionals;
    if (action === "set") aliasSet(rest, { region: values.region });
    else if (action === "ls" || action === "list") aliasList(rest, { json: values.json });
    else if (action === "rm" || action === "remove") aliasRemove(rest);
    else throw new UsageError(action ? `unknown action '${action}'` : "name an action: set, ls or rm");
  },
});
