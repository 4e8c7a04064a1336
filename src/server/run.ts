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

/**
 * One turn of the event loop. Evaluating a group of modules blocks the loop for 10-50 ms (the
 * compiled binary evaluates its whole bundle this way), so without a turn between the groups
 * the bound port would answer its first liveness probe only once everything had loaded.
 */
const loopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runServer(flags: ServerFlags, env: Env): Promise<RunningServer> {
  const listener = await listen(parseAddress(s3AddressText(flags.address, env)));
  try {
    await loopTurn();
    const { resolveConfig } = await import("./config");
    const config = resolveConfig(flags, env);
    await loopTurn();
    const { defaultBackend } = await import("./backend");
    const backend = await defaultBackend();
    await loopTurn();
    const { startServer } = await import("./start");
    await loopTurn();
    return await startServer(config, { backend, env, listener });
  } catch (err) {
    await listener.close(0);
    throw err;
  }
}
