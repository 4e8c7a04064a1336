/**
 * A Drive decorator for fault tests (after MinIO's naughty disk): wraps a real LocalDrive and,
 * when told, fails every call as an offline drive or with EIO-like faults.
 */
import { DriveError, type Drive } from "../../src/storage/index";

export type FaultMode = "none" | "offline" | "eio";

export class FaultyDrive implements Drive {
  mode: FaultMode = "none";

  constructor(private readonly inner: Drive) {}

  get endpoint(): string {
    return this.inner.endpoint;
  }

  isOnline(): boolean {
    return this.mode !== "offline" && this.inner.isOnline();
  }

  private fail(): DriveError | null {
    if (this.mode === "offline") return new DriveError("DriveOffline", this.endpoint, "injected: offline");
    if (this.mode === "eio") return new DriveError("Faulty", this.endpoint, "injected: EIO");
    return null;
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    const e = this.fail();
    return e ? Promise.reject(e) : fn();
  }

  diskInfo = () => this.call(() => this.inner.diskInfo());
  readFormat = () => this.call(() => this.inner.readFormat());
  writeFormat: Drive["writeFormat"] = (f) => this.call(() => this.inner.writeFormat(f));
  makeVolume: Drive["makeVolume"] = (v) => this.call(() => this.inner.makeVolume(v));
  listVolumes = () => this.call(() => this.inner.listVolumes());
  statVolume: Drive["statVolume"] = (v) => this.call(() => this.inner.statVolume(v));
  deleteVolume: Drive["deleteVolume"] = (v, o) => this.call(() => this.inner.deleteVolume(v, o));
  readMeta: Drive["readMeta"] = (v, k) => this.call(() => this.inner.readMeta(v, k));
  writeMeta: Drive["writeMeta"] = (v, k, m) => this.call(() => this.inner.writeMeta(v, k, m));
  commit: Drive["commit"] = (v, k, m, s) => this.call(() => this.inner.commit(v, k, m, s));
  deleteDataDir: Drive["deleteDataDir"] = (v, k, d) => this.call(() => this.inner.deleteDataDir(v, k, d));
  deleteObject: Drive["deleteObject"] = (v, k) => this.call(() => this.inner.deleteObject(v, k));
  readFile: Drive["readFile"] = (v, k, d, f, o, l) => this.call(() => this.inner.readFile(v, k, d, f, o, l));
  createSysWriter: Drive["createSysWriter"] = (p) => this.call(() => this.inner.createSysWriter(p));
  writeSysFile: Drive["writeSysFile"] = (p, d) => this.call(() => this.inner.writeSysFile(p, d));
  readSysFile: Drive["readSysFile"] = (p) => this.call(() => this.inner.readSysFile(p));
  readSysFileRange: Drive["readSysFileRange"] = (p, o, l) => this.call(() => this.inner.readSysFileRange(p, o, l));
  listSysDir: Drive["listSysDir"] = (p) => this.call(() => this.inner.listSysDir(p));
  deleteSys: Drive["deleteSys"] = (p) => this.call(() => this.inner.deleteSys(p));
  cleanupTmp = () => this.call(() => this.inner.cleanupTmp());

  walk(volume: string, opts?: Parameters<Drive["walk"]>[1]): AsyncIterable<import("../../src/storage/index").WalkEntry> {
    const e = this.fail();
    if (e) {
      return {
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(e) }),
      };
    }
    return this.inner.walk(volume, opts);
  }
}
