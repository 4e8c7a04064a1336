import type { Command } from "./command";

export const serverCommand: Command = {
  summary: "start the S3 server on one or more drive directories",
  async run() {
    process.stderr.write("cairn server: not built yet\n");
    return 1;
  },
};
