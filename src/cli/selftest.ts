import type { Command } from "./command";

export const selftestCommand: Command = {
  summary: "encode, drop fragments and decode through liberasurecode",
  async run() {
    process.stderr.write("cairn selftest: not built yet\n");
    return 1;
  },
};
