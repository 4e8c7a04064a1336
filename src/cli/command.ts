/** A CLI command: `run` returns the exit code, or -1 to keep the process running (server). */
export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}
