/** The composition root's public surface: configuration, start-up, the app for in-process tests. */
export { ConfigError, parseAddress, resolveConfig } from "./config";
export type { Env, ListenAddress, ServerConfig, ServerFlags } from "./config";
export { createApp, MAX_REQUEST_BODY } from "./app";
export type { AppDeps, S3Context, S3Handler } from "./app";
export { defaultBackend } from "./backend";
export type { Backend, LayerOptions, S3Deps } from "./backend";
export { describeLayout, startServer } from "./start";
export type { RunningServer } from "./start";
export { Metrics } from "./metrics";
export { newRequestId } from "./request-id";
