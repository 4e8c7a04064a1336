/**
 * The composition root's public surface. Deliberately light: importing it must not load Elysia,
 * zod or the storage stack, so `cairn server` can bind its port and answer liveness first.
 * The app, configuration schema and start-up live in this folder's own modules (and tests).
 */
export { ConfigError, localUrl, parseAddress, s3AddressText } from "./address";
export type { Env, ListenAddress } from "./address";
export type { ServerConfig, ServerFlags } from "./config";
export { listen } from "./listener";
export { bindError } from "./preflight";
export type { FetchHandler, Listener } from "./listener";
export { runServer } from "./run";
export type { RunningServer } from "./start";
export { checkPortFree, processCount, runPrimary, workerRole } from "./cluster";
