export * from "./drive";
export { LocalDrive, type LocalDriveOptions } from "./local-drive";
export { walkVolumesBatches } from "./walk";
export type { HealthOptions } from "./health";
export { FaultyDrive, type FaultRule, type FaultPoint, type DriveMethod } from "./faulty-drive";
export { FileRangeLocks } from "./range-locks";
export { mapSharedCounters } from "./shared-file";
export { relayGroupSyncs } from "./fs-sync";
export { serveSyncRelay, SyncRelayClient } from "./sync-relay";
