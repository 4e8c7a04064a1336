/**
 * The compiled executable's entry point (scripts/build.sh); `bun src/main.ts` skips it. A
 * compiled entry's whole bundle loads before any of it runs (~25 ms for ours on the 2-core VM),
 * and `cairn server` re-executes itself once (cli/reexec.ts), so with src/main.ts as the entry
 * the bundle loaded twice. This entry holds only the re-exec; the program is the build's second
 * entry point, imported by a specifier the bundler leaves alone, so it loads once, after the exec.
 */
import "./cli/reexec";

const program: string = "./main.ts";
(import(program) as Promise<typeof import("./main")>).then(
  (m) => m.runAsProgram(),
  (err) => {
    process.stderr.write(`cairn: cannot load the program: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
