import { share } from "../client";
import { parseFlags } from "./args";
import { clientCommand } from "./client-run";

export const shareCommand = clientCommand({
  name: "share",
  summary: "print a presigned URL to download (GET) or upload (PUT) an object",
  usage: "cairn share download|upload [--expire 7d] ALIAS/BUCKET/KEY",
  run(args) {
    const { values, positionals } = parseFlags(args, { expire: { type: "string", short: "E" } });
    share(positionals, { expire: values.expire ?? "7d" });
  },
});
