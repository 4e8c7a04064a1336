/**
 * boto3 (Debian's python3-boto3) against the real server for every issue-8 API: versioning,
 * tagging, bucket policy with anonymous callers, canned ACLs, CORS, object lock, lifecycle,
 * GetObjectAttributes, encryption and notification configs. One python run records what the
 * server answered (scripts/boto3_issue8.py); each test here judges one API from that record.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ACCESS_KEY, bucketName, cleanupTemp, REGION, run, SECRET_KEY, startServer, type ServerHandle } from "./harness";

// Real processes on a shared 2-core machine: bun's 5 s default is far too tight.
setDefaultTimeout(180_000);

// Debian's interpreter: it is the one python3-boto3 installs into (a pyenv python may lack boto3).
const PYTHON = "/usr/bin/python3";
const hasBoto3 = existsSync(PYTHON) && Bun.spawnSync([PYTHON, "-c", "import boto3"]).exitCode === 0;
if (!hasBoto3) console.warn("e2e: skipping the boto3 issue-8 suite: python3-boto3 is not installed (scripts/setup.sh --test installs it)");

type Observed = Record<string, unknown>;
let server: ServerHandle | undefined;
let observed: Record<string, Observed> = {};

beforeAll(async () => {
  if (!hasBoto3) return;
  server = await startServer({ drives: 4 });
  const r = await run([PYTHON, join(import.meta.dir, "scripts", "boto3_issue8.py"), server.url, bucketName("b3i8").slice(0, 24)], {
    env: { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_DEFAULT_REGION: REGION },
    allowFailure: true,
  });
  if (r.code !== 0) throw new Error(`boto3 script failed:\n${r.stdout}\n${r.stderr}`);
  observed = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, Observed>;
});
afterAll(async () => {
  await server?.stop();
  cleanupTemp();
});

/** One section's observations; a section whose calls raised fails with the python traceback. */
function section(name: string): Observed {
  const o = observed[name];
  if (o === undefined) throw new Error(`the boto3 script recorded no section ${name}`);
  if (typeof o.crashed === "string") throw new Error(`boto3 section ${name} raised:\n${o.crashed}`);
  return o;
}

const err = (code: string, status: number, message?: string) => ({ code, status, message: message ?? expect.any(String) });
const DAY_MS = 86_400_000;

describe.skipIf(!hasBoto3)("boto3: issue 8 APIs", () => {
  test("versioning: status, versionId on get/head/delete/copy source/tagging, delete markers, suspended null version", () => {
    const o = section("versioning");
    expect([o.initial, o.enabled, o.suspended]).toEqual([null, "Enabled", "Suspended"]);
    expect([o.marker_is_marker, o.get_after_delete]).toEqual([true, "NoSuchKey"]);
    expect(o.get_v1).toBe("one");
    expect(o.head_v2).toEqual({ VersionId: o.v2, ContentLength: 3 });
    expect([o.copy_source_version, o.copy_body]).toEqual([o.v1, "one"]);
    expect([o.tags_v1, o.tags_v2]).toEqual([{ old: "yes" }, {}]);
    // Deleting the marker by id brings the newest version back; deleting that version leaves the older one.
    expect([o.delete_marker, o.get_after_marker_removed]).toEqual([true, "two"]);
    expect([o.get_deleted_version, o.get_latest_after_version_delete]).toEqual(["NoSuchVersion", "one"]);
    // Suspended: new writes replace one "null" version, which is latest; the enabled-era version stays.
    expect(o.suspended_versions).toEqual([["k", "null", true], ["k", o.v1, false]]);
    expect(o.suspended_latest).toBe("four");
  });

  test("list_object_versions: IsLatest, delete markers, key and version-id markers page through exactly once", () => {
    const o = section("versioning");
    const listing = o.listing as [string, string, boolean][];
    expect(listing.map(([k, v, latest]) => [k, v, latest])).toEqual([["k", o.v2, false], ["k", o.v1, false], ["k2", expect.any(String), true]]);
    const k2 = listing[2]![1];
    expect(o.markers).toEqual([["k", o.marker_id, true]]);
    expect(o.pages).toEqual([[["k", o.marker_id]], [["k", o.v2]], [["k", o.v1]], [["k2", k2]]]);
    expect(o.after_v2).toEqual([["k", o.v1], ["k2", k2]]);
  });

  test("object and bucket tagging: round trips, copy directive, limits in AWS's codes and words", () => {
    const o = section("tagging");
    expect([o.put_header_tags, o.tag_count, o.ten, o.after_delete]).toEqual([{ a: "1", b: "two words" }, 2, 10, {}]);
    expect(o.eleven).toEqual(err("BadRequest", 400, "Object tags cannot be greater than 10"));
    expect([o.long_key, o.long_value, o.duplicate, o.header_eleven]).toEqual(["InvalidTag", "InvalidTag", "InvalidTag", "BadRequest"]);
    expect([o.copy_default, o.copy_replace]).toEqual([{ from: "src" }, { to: "dst" }]);
    expect([o.bucket_none, o.bucket_fifty, o.bucket_long_key, o.bucket_after_delete]).toEqual(["NoSuchTagSet", 50, "InvalidTag", "NoSuchTagSet"]);
    expect(o.bucket_fifty_one).toEqual(err("BadRequest", 400, "Bucket tag count cannot be greater than 50"));
  });

  test("bucket policy: put/get/delete, status, anonymous (unsigned) calls allowed and denied exactly as written", () => {
    const o = section("policy");
    expect([o.none, o.anon_before, o.round_trip, o.status_public]).toEqual(["NoSuchBucketPolicy", "error:AccessDenied", true, true]);
    expect(o.anon_pub).toBe("pub/f.txt");
    // An explicit Deny beats the Allow; nothing outside the granted prefix, no writes.
    expect([o.anon_denied_by_deny, o.anon_priv, o.anon_put]).toEqual(["error:AccessDenied", "error:AccessDenied", "AccessDenied"]);
    expect([o.anon_list_pub, o.anon_list_all]).toEqual([["pub/f.txt", "pub/secret.txt"], "AccessDenied"]);
    expect(o.owner_secret).toBe("pub/secret.txt");
    expect([o.malformed_json, o.bad_effect, o.other_bucket_resource]).toEqual(["MalformedPolicy", "MalformedPolicy", "MalformedPolicy"]);
    expect(o.still_public_after_bad_puts).toBe("pub/f.txt");
    // A grant limited to a source network is not public, and does not reach a caller outside it.
    expect([o.status_ip_only, o.anon_from_other_ip]).toEqual([false, "error:AccessDenied"]);
    expect([o.after_delete, o.status_after_delete]).toEqual(["NoSuchBucketPolicy", "NoSuchBucketPolicy"]);
  });

  test("canned ACLs: get_bucket_acl/get_object_acl grants, and what an anonymous caller then gets", () => {
    const o = section("acl");
    const owner = `${o.owner_id}:FULL_CONTROL`;
    const allUsersRead = "http://acs.amazonaws.com/groups/global/AllUsers:READ";
    expect(o.owner_id).toMatch(/^[0-9a-f]{64}$/);
    expect([o.bucket_grants, o.closed_grants]).toEqual([[owner], [owner]]);
    expect([o.open_grants, o.public_bucket_grants]).toEqual([[owner, allUsersRead], [owner, allUsersRead]]);
    expect([o.anon_open, o.anon_closed, o.anon_open_after_private]).toEqual(["open", "error:AccessDenied", "error:AccessDenied"]);
    expect([o.anon_list_private_bucket, o.anon_list_public_bucket]).toEqual(["AccessDenied", ["closed", "open"]]);
  });

  test("CORS: put/get/delete, bad method refused, preflight answered as the rules say", () => {
    const o = section("cors");
    expect([o.none, o.round_trip, o.bad_method, o.after_delete]).toEqual(["NoSuchCORSConfiguration", true, "InvalidRequest", "NoSuchCORSConfiguration"]);
    expect(o.preflight_without_config).toEqual({ status: 403, allow_origin: null });
    expect(o.preflight_allowed).toMatchObject({ status: 200, allow_origin: "https://app.example" });
    expect(String((o.preflight_allowed as Observed).allow_methods)).toContain("PUT");
    expect([o.preflight_other_origin, o.preflight_other_method]).toEqual([{ status: 403, allow_origin: null }, { status: 403, allow_origin: null }]);
  });

  test("object lock: legal hold, COMPLIANCE, GOVERNANCE with bypass, default retention, copy with lock headers", () => {
    const o = section("object_lock");
    expect([o.enabled, o.versioning]).toEqual(["Enabled", "Enabled"]);
    expect([o.legal_hold, o.held_delete, o.released_delete]).toEqual(["ON", "AccessDenied", null]);
    expect([o.compliance_mode, o.compliance_head, o.compliance_shorten]).toEqual(["COMPLIANCE", "COMPLIANCE", "AccessDenied"]);
    expect(o.compliance_delete_bypass).toEqual(err("AccessDenied", 403));
    // A delete without a version id only adds a marker, lock or not.
    expect(o.unversioned_delete_marker).toBe(true);
    expect([o.governance_delete, o.governance_shorten, o.governance_shorten_bypass, o.governance_delete_bypass]).toEqual(["AccessDenied", "AccessDenied", null, null]);
    expect([o.default_rule, o.default_applied, o.default_delete]).toEqual([{ Mode: "GOVERNANCE", Days: 1 }, "GOVERNANCE", "AccessDenied"]);
    expect(o.copy_mode).toBe("COMPLIANCE");
    expect([o.zero_days, o.plain_config, o.plain_lock_header]).toEqual(["InvalidRetentionPeriod", "ObjectLockConfigurationNotFoundError", "InvalidRequest"]);
  });

  test("lifecycle: put/get/delete, x-amz-expiration on PUT and HEAD, bad configurations refused with AWS's codes", () => {
    const o = section("lifecycle");
    expect(o.none).toBe("NoSuchLifecycleConfiguration");
    expect(o.round_trip).toEqual([
      { ID: "logs", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } },
      { ID: "old-versions", Status: "Enabled", Filter: { Prefix: "" }, NoncurrentVersionExpiration: { NoncurrentDays: 7 } },
      { ID: "uploads", Status: "Enabled", Filter: { Prefix: "" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
      { ID: "markers", Status: "Disabled", Filter: { Prefix: "m/" }, Expiration: { ExpiredObjectDeleteMarker: true } },
    ]);
    // 30 days after the object's creation, rounded up to the next midnight UTC.
    const due = new Date(Math.floor((Date.parse(String(o.last_modified)) + 31 * DAY_MS) / DAY_MS) * DAY_MS);
    const expected = `expiry-date="${due.toUTCString()}", rule-id="logs"`;
    expect([o.expiration_put, o.expiration_head, o.expiration_other]).toEqual([expected, expected, null]);
    expect([o.zero_days, o.no_action, o.days_and_date, o.duplicate_ids]).toEqual(["InvalidArgument", "InvalidRequest", "MalformedXML", "InvalidArgument"]);
    expect(o.unchanged_after_bad).toEqual(["logs", "old-versions", "uploads", "markers"]);
    expect(o.after_delete).toBe("NoSuchLifecycleConfiguration");
  });

  test("get_object_attributes: ETag, size, class, checksum, version, and parts only for a multipart upload", () => {
    const o = section("attributes");
    expect(o.single).toEqual({ ETag: String(o.put_etag).replaceAll('"', ""), ObjectSize: 16, StorageClass: "STANDARD", VersionId: o.put_version });
    expect(o.put_sha256).toEqual(expect.any(String));
    expect([o.single_sha256, o.single_parts, o.old_version_size]).toEqual([o.put_sha256, null, 16]);
    expect(o.multipart).toEqual({ size: 5 * 1024 * 1024 + 10, parts: 2, etag: expect.stringMatching(/^[0-9a-f]{32}-2$/) });
    expect(o.missing).toBe("NoSuchKey");
  });

  test("bucket encryption and notification configurations are validated, stored and answered back", () => {
    const o = section("bucket_configs");
    expect([o.encryption_none, o.encryption_bad, o.encryption_after_delete]).toEqual([
      "ServerSideEncryptionConfigurationNotFoundError",
      "MalformedXML",
      "ServerSideEncryptionConfigurationNotFoundError",
    ]);
    expect(o.encryption).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }]);
    expect(o.notification_empty).toEqual({});
    expect(o.notification).toEqual([
      { Id: "new-logs", QueueArn: "arn:minio:sqs::primary:webhook", Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "logs/" }] } } },
    ]);
  });
});
