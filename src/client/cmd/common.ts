/** Helpers shared by the command implementations. */
import { ClientError } from "../errors";
import { parseLocation, type Location } from "../location";

export type Remote = Extract<Location, { kind: "remote" }>;

export function out(line: string): void {
  process.stdout.write(line + "\n");
}

/** Writes bytes to stdout and waits while the pipe is full (objects never pile up in memory). */
export async function writeOut(chunk: Uint8Array): Promise<void> {
  if (process.stdout.write(chunk)) return;
  await new Promise<void>((resolve) => process.stdout.once("drain", () => resolve()));
}

/** A location that must be remote: a non-alias first segment is an unknown alias. */
export function requireRemote(arg: string, opts: { bucket: boolean }): Remote {
  const loc = parseLocation(arg);
  if (loc.kind === "local") {
    const alias = arg.split("/")[0] ?? arg;
    throw new ClientError("alias", `unknown alias '${alias}': add it with 'cairn alias set ${alias} URL ACCESS SECRET'`);
  }
  if (opts.bucket && !loc.bucket) throw new ClientError("usage", `name a bucket: ${loc.client.alias}/BUCKET`);
  return loc;
}

/** A remote location that names one object. */
export function requireObject(arg: string): Remote {
  const loc = requireRemote(arg, { bucket: true });
  if (!loc.key) throw new ClientError("usage", `name an object: ${arg}/KEY`);
  return loc;
}

export function usage(message: string): ClientError {
  return new ClientError("usage", message);
}

export function timeText(d: Date): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
