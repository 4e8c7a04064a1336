/** `mb`, `rb [--force]`, `version enable|suspend|info`. */
import { ClientError, isClientError } from "../errors";
import { listVersions } from "../list";
import { bucketExists, deleteObjects, getVersioning, makeBucket, removeBucket, setVersioning } from "../ops";
import { out, requireRemote, usage } from "./common";
import { listUploads } from "../list";
import { abortUpload } from "../multipart";

export async function mb(args: string[], opts: { ignoreExisting?: boolean }): Promise<void> {
  if (args.length === 0) throw usage("usage: cairn mb [--ignore-existing] ALIAS/BUCKET...");
  for (const arg of args) {
    const loc = requireRemote(arg, { bucket: true });
    if (loc.key) throw usage(`'${arg}': a bucket name cannot contain '/'`);
    try {
      await makeBucket(loc.client, loc.bucket);
      out(`Bucket created: ${loc.client.alias}/${loc.bucket}`);
    } catch (err) {
      const exists = isClientError(err) && (err.code === "BucketAlreadyOwnedByYou" || err.code === "BucketAlreadyExists");
      if (!(exists && opts.ignoreExisting)) throw err;
      out(`Bucket exists: ${loc.client.alias}/${loc.bucket}`);
    }
  }
}

/** Empties the bucket: every version and delete marker, and any open multipart upload. */
async function emptyBucket(loc: { client: Parameters<typeof listVersions>[0]; bucket: string }): Promise<number> {
  let removed = 0;
  let batch: { key: string; versionId?: string }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const failed = await deleteObjects(loc.client, loc.bucket, batch);
    if (failed.length > 0) throw new ClientError("s3", `could not remove ${failed[0]!.key}: ${failed[0]!.code}`);
    removed += batch.length;
    batch = [];
  };
  for await (const v of listVersions(loc.client, { bucket: loc.bucket })) {
    batch.push({ key: v.key, versionId: v.versionId === "null" ? "null" : v.versionId });
    if (batch.length === 1000) await flush();
  }
  await flush();
  for await (const u of listUploads(loc.client, { bucket: loc.bucket })) await abortUpload(loc.client, { bucket: loc.bucket, key: u.key, uploadId: u.uploadId });
  return removed;
}

export async function rb(args: string[], opts: { force?: boolean }): Promise<void> {
  if (args.length === 0) throw usage("usage: cairn rb [--force] ALIAS/BUCKET...");
  for (const arg of args) {
    const loc = requireRemote(arg, { bucket: true });
    if (loc.key) throw usage(`'${arg}' is not a bucket`);
    if (!(await bucketExists(loc.client, loc.bucket))) throw new ClientError("no-bucket", `no such bucket: ${loc.client.alias}/${loc.bucket}`);
    if (opts.force) await emptyBucket(loc);
    try {
      await removeBucket(loc.client, loc.bucket);
    } catch (err) {
      if (isClientError(err) && err.code === "BucketNotEmpty") {
        throw new ClientError("s3", `bucket ${loc.client.alias}/${loc.bucket} is not empty: use --force to remove its objects too`, { code: err.code });
      }
      throw err;
    }
    out(`Removed bucket ${loc.client.alias}/${loc.bucket}`);
  }
}

export async function versioning(args: string[]): Promise<void> {
  const [action, target] = args;
  if (!target || args.length !== 2 || !["enable", "suspend", "info"].includes(action!)) throw usage("usage: cairn version enable|suspend|info ALIAS/BUCKET");
  const loc = requireRemote(target, { bucket: true });
  if (action === "info") {
    out(`${loc.client.alias}/${loc.bucket}: versioning ${(await getVersioning(loc.client, loc.bucket)).toLowerCase()}`);
    return;
  }
  await setVersioning(loc.client, loc.bucket, action === "enable" ? "Enabled" : "Suspended");
  out(`${loc.client.alias}/${loc.bucket}: versioning ${action === "enable" ? "enabled" : "suspended"}`);
}
