/**
 * The command table. Each command lives in its own file and is imported only when run: the
 * server must answer its health check quickly, and importing every client command up front
 * cost ~0.3 s of start-up.
 */
import type { Command } from "./command";

export type { Command };

const commands: Record<string, () => Promise<Command>> = {
  server: () => import("./server").then((m) => m.serverCommand),
  selftest: () => import("./selftest").then((m) => m.selftestCommand),
  healthcheck: () => import("./healthcheck").then((m) => m.healthcheckCommand),
  alias: () => import("./alias").then((m) => m.aliasCommand),
  ls: () => import("./ls").then((m) => m.lsCommand),
  mb: () => import("./mb").then((m) => m.mbCommand),
  rb: () => import("./rb").then((m) => m.rbCommand),
  cp: () => import("./cp").then((m) => m.cpCommand),
  mirror: () => import("./mirror").then((m) => m.mirrorCommand),
  diff: () => import("./diff").then((m) => m.diffCommand),
  rm: () => import("./rm").then((m) => m.rmCommand),
  cat: () => import("./cat").then((m) => m.catCommand),
  head: () => import("./head").then((m) => m.headCommand),
  stat: () => import("./stat").then((m) => m.statCommand),
  find: () => import("./find").then((m) => m.findCommand),
  du: () => import("./du").then((m) => m.duCommand),
  tag: () => import("./tag").then((m) => m.tagCommand),
  // `cairn version` alone prints the program version (src/main.ts); `versioning` always reaches this.
  version: () => import("./versioning").then((m) => m.versioningCommand),
  versioning: () => import("./versioning").then((m) => m.versioningCommand),
  share: () => import("./share").then((m) => m.shareCommand),
};

export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(commands, name) ? commands[name]!() : undefined;
}

/** Loads every command for its summary: only `--help` pays for that. */
export async function usage(): Promise<string> {
  const entries = await Promise.all(Object.entries(commands).map(async ([name, load]) => [name, (await load()).summary]));
  const lines = entries.map(([name, summary]) => `  ${name!.padEnd(12)} ${summary}`);
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
