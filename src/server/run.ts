/**
 * `cairn server` from parsed flags to a running server, in the order that keeps start-up fast:
 * bind the S3 port first (liveness answers at once), then load and validate everything else.
 * Only light modules are imported statically here; the app, zod and the backend load after
 * the port is bound.
 */
import { parseAddress, s3AddressText, type Env } from "./address";
import type { ServerFlags } from "./config";
import { listen } from "./listener";
import type { RunningServer } from "./start";

export async function runServer(flags: ServerFlags, env: Env): Promise<RunningServer> {
  const listener = await listen(parseAddress(s3AddressText(flags.address, env)));
  try {
    const [{ resolveConfig }, { defaultBackend }, { startServer }] = await Promise.all([
      import("./config"),
      import("./backend"),
      import("./start"),
    ]);
    const config = resolveConfig(flags, env);
    return await startServer(config, { backend: await defaultBackend(), env, listener });
  } catch (err) {
    await listener.close(0);
    throw err;
  }
}
