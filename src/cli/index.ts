/** The command table. Each command lives in its own file. */
import { serverCommand } from "./server";
import { selftestCommand } from "./selftest";
import { healthcheckCommand } from "./healthcheck";
import { aliasCommand } from "./alias";
import { lsCommand } from "./ls";
import { mbCommand } from "./mb";
import { rbCommand } from "./rb";
import { cpCommand } from "./cp";
import { mirrorCommand } from "./mirror";
import { diffCommand } from "./diff";
import { rmCommand } from "./rm";
import { catCommand } from "./cat";
import { headCommand } from "./head";
import { statCommand } from "./stat";
import { findCommand } from "./find";
import { duCommand } from "./du";
import { tagCommand } from "./tag";
import { versioningCommand } from "./versioning";
import { shareCommand } from "./share";

import type { Command } from "./command";

export type { Command };

export const commands: Record<string, Command> = {
  server: serverCommand,
  selftest: selftestCommand,
  healthcheck: healthcheckCommand,
  alias: aliasCommand,
  ls: lsCommand,
  mb: mbCommand,
  rb: rbCommand,
  cp: cpCommand,
  mirror: mirrorCommand,
  diff: diffCommand,
  rm: rmCommand,
  cat: catCommand,
  head: headCommand,
  stat: statCommand,
  find: findCommand,
  du: duCommand,
  tag: tagCommand,
  // `cairn version` alone prints the program version (src/main.ts); `versioning` always reaches this.
  version: versioningCommand,
  versioning: versioningCommand,
  share: shareCommand,
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
