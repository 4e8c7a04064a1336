#!/usr/bin/env bun
/** Entry point: `cairn server DIR...`, `cairn selftest`, client commands, `--help`, `--version`. */
import { compiledExecutable } from "./cli/reexec"; // first: may replace this process before the rest loads
import pkg from "../package.json" with { type: "json" };
import { loadCommand, usage } from "./cli";

export async function main(argv: string[]): Promise<number> {
  // Compose files written for the MinIO image often say `command: minio server /data`.
  const [first, ...rest] = argv[0] === "minio" ? argv.slice(1) : argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(await usage());
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-v" || (first === "version" && rest.length === 0)) {
    process.stdout.write(`cairn ${pkg.version}\n`);
    return 0;
  }
  const command = await loadCommand(first);
  if (!command) {
    process.stderr.write(`cairn: unknown command '${first}'. Run 'cairn --help' for the list.\n`);
    return 2;
  }
  return command.run(rest);
}

/** Runs `main` on this process's arguments and exits with its code (the executable's entry: src/boot.ts). */
export function runAsProgram(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== -1) process.exit(code);
    },
    (err) => {
      process.stderr.write(`cairn: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

// In the compiled executable every entry point counts as main, and src/boot.ts runs the program.
if (import.meta.main && !compiledExecutable) runAsProgram();
