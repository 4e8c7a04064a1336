/**
 * Start-up checks that turn the usual first-run mistakes (a wrong drive path, a directory the
 * server's user cannot write, a port already taken) into one line that says what to fix, before
 * the object layer would report them as drives offline or a bare errno.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./address";

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
}

function whoAmI(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

type DriveStep = "reading" | "creating" | "writing to";

/** A directory that could not be created needs creating as well as handing over. */
function ownershipFix(path: string, step: DriveStep): string {
  const { uid, gid } = whoAmI();
  const chown = `sudo chown -R ${uid}:${gid} ${path}`;
  return step === "creating" ? `sudo mkdir -p ${path} && ${chown}` : `${chown} (or run the server as the directory's owner)`;
}

/** Why a drive directory could not be created or used, and what to do about it. */
function driveProblem(path: string, err: unknown, step: DriveStep): ConfigError {
  const code = errnoCode(err);
  if (code === "EACCES" || code === "EPERM") {
    return new ConfigError(`drive ${path}: permission denied ${step} it as uid ${whoAmI().uid}: ${ownershipFix(path, step)}`);
  }
  if (code === "EROFS") return new ConfigError(`drive ${path} is on a read-only filesystem: mount it read-write`);
  if (code === "ENOTDIR") return new ConfigError(`drive ${path}: a part of the path is a file, not a directory: fix the path`);
  return new ConfigError(`drive ${path}: ${step} it failed (${code ?? String(err)})`);
}

type PathState = "dir" | "missing" | "other";

function stateOf(path: string): PathState {
  try {
    return statSync(path).isDirectory() ? "dir" : "other";
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return "missing";
    throw driveProblem(path, err, "reading");
  }
}

/**
 * A volume left by MinIO (its `.minio.sys`, no Cairn format yet): Cairn cannot read MinIO's
 * on-disk format, and formatting beside it would show MinIO's buckets with unreadable objects.
 */
function refuseMinioData(path: string): void {
  if (existsSync(join(path, ".minio.sys")) && !existsSync(join(path, ".cairn.sys", "format.json"))) {
    throw new ConfigError(
      `drive ${path} holds MinIO data (.minio.sys), which Cairn cannot read: give Cairn an empty directory ` +
        "and copy the objects over from the old server (cairn mirror, rclone sync)",
    );
  }
}

/**
 * Missing drive directories are created, as MinIO does, except when a multi-drive set has some
 * paths and lacks others: that is a typo or an unmounted disk, and creating the directory would
 * put that drive's share of every object on the wrong filesystem. Every drive must then be a
 * directory this process can write (MinIO also refuses to start on an access-denied drive).
 */
export function checkDrives(drives: string[]): void {
  // Without this, `http://node1:9000/d1` would be taken as a relative local path and created.
  const remote = drives.find((d) => /^https?:\/\//i.test(d));
  if (remote) {
    throw new ConfigError(`drive ${remote} is on another node: this Cairn serves local drives only (no distributed mode yet): give local directories`);
  }
  const states = drives.map((d) => ({ path: d, state: stateOf(d) }));
  const notDir = states.find((s) => s.state === "other");
  if (notDir) throw new ConfigError(`drive ${notDir.path} is not a directory: give a directory path`);
  const missing = states.filter((s) => s.state === "missing").map((s) => s.path);
  if (missing.length > 0 && missing.length < drives.length) {
    throw new ConfigError(
      `drive ${missing[0]} does not exist (${missing.length} of ${drives.length} drives missing): ` +
        `mount the disk or create the directory (mkdir -p ${missing.join(" ")}), or fix the path`,
    );
  }
  for (const path of missing) {
    try {
      mkdirSync(path, { recursive: true });
    } catch (err) {
      throw driveProblem(path, err, "creating");
    }
  }
  for (const { path } of states) {
    refuseMinioData(path);
    try {
      accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
    } catch (err) {
      throw driveProblem(path, err, "writing to");
    }
  }
}

/**
 * A listen failure as a ConfigError naming the address and the fix; null for anything that is
 * not a bind error (the caller rethrows those).
 */
export function bindError(err: unknown, what: string, address: string): ConfigError | null {
  const code = errnoCode(err);
  const flag = what === "console" ? "--console-address / CAIRN_CONSOLE_ADDRESS" : "--address / CAIRN_ADDRESS";
  if (code === "EADDRINUSE") {
    return new ConfigError(`${what} address ${address} is already in use: stop the other process or choose another port with ${flag}`);
  }
  if (code === "EACCES") {
    return new ConfigError(`${what} address ${address}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE): choose another port with ${flag}`);
  }
  if (code === "EADDRNOTAVAIL") {
    return new ConfigError(`${what} address ${address}: no such local IP address on this machine: fix the host part of ${flag}`);
  }
  return null;
}
