/** The command table. Each command lives in its own file. */
import { serverCommand } from "./server";
import { selftestCommand } from "./selftest";
import { healthcheckCommand } from "./healthcheck";

import type { Command } from "./command";

export type { Command };

export const commands: Record<string, Command> = {
  server: serverCommand,
  selftest: selftestCommand,
  healthcheck: healthcheckCommand,
};

export function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return [
    "Usage: cairn COMMAND [ARGS...]",
    "",
    "Commands:",
    ...lines,
    "",
    "Flags:",
    "  --help       show this help",
    "  --version    print the version",
    "",
  ].join("\n");
}
