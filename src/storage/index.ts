export * from "./drive";
export { LocalDrive, type LocalDriveOptions } from "./local-drive";
export type { HealthOptions } from "./health";
