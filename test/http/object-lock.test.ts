/** Object lock: configuration, retention (GOVERNANCE with bypass, COMPLIANCE), legal hold, and refused deletes. */
import { beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
} from "@aws-sdk/client-s3";
import { sdkError, harnessForFile } from "./harness";

setDefaultTimeout(120_000);

const B = "lock-bucket";
const h = harnessForFile();
beforeAll(async () => {
  await h.client.send(new CreateBucketCommand({ Bucket: B, ObjectLockEnabledForBucket: true }));
});


const inDays = (d: number) => new Date(Date.now() + d * 86_400_000);

describe("object lock", () => {
  test("a lock-enabled bucket is versioned for good and reports its configuration", async () => {
    expect((await h.client.send(new GetBucketVersioningCommand({ Bucket: B }))).Status).toBe("Enabled");
    expect((await h.client.send(new GetObjectLockConfigurationCommand({ Bucket: B }))).ObjectLockConfiguration?.ObjectLockEnabled).toBe("Enabled");
    expect(await sdkError(h.client.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: "Suspended" } })))).toEqual({ name: "InvalidBucketState", status: 409 });
  });

  test("a plain bucket has no lock configuration and refuses lock headers", async () => {
    await h.client.send(new CreateBucketCommand({ Bucket: "nolock" }));
    expect((await sdkError(h.client.send(new GetObjectLockConfigurationCommand({ Bucket: "nolock" })))).name).toBe("ObjectLockConfigurationNotFoundError");
    const e = await sdkError(h.client.send(new PutObjectCommand({ Bucket: "nolock", Key: "k", Body: "x", ObjectLockLegalHoldStatus: "ON" })));
    expect(e).toEqual({ name: "InvalidRequest", status: 400 });
    expect((await sdkError(h.client.send(new PutObjectLockConfigurationCommand({ Bucket: "nolock", ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } })))).name).toBe("InvalidBucketState");
  });

  test("GOVERNANCE: delete of the version refused, allowed with bypass; shortening needs bypass", async () => {
    const put = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "gov", Body: "g", ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: inDays(2) }));
    const ret = await h.client.send(new GetObjectRetentionCommand({ Bucket: B, Key: "gov", VersionId: put.VersionId }));
    expect(ret.Retention?.Mode).toBe("GOVERNANCE");
    const head = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "gov", VersionId: put.VersionId }));
    expect(head.ObjectLockMode).toBe("GOVERNANCE");
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBe(ret.Retention?.RetainUntilDate?.getTime());
    expect(await sdkError(h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "gov", VersionId: put.VersionId })))).toEqual({ name: "AccessDenied", status: 403 });
    // A delete without a version id only adds a marker: allowed.
    expect((await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "gov" }))).DeleteMarker).toBe(true);
    const shorter = { Mode: "GOVERNANCE" as const, RetainUntilDate: inDays(1) };
    expect((await sdkError(h.client.send(new PutObjectRetentionCommand({ Bucket: B, Key: "gov", VersionId: put.VersionId, Retention: shorter })))).name).toBe("AccessDenied");
    await h.client.send(new PutObjectRetentionCommand({ Bucket: B, Key: "gov", VersionId: put.VersionId, Retention: shorter, BypassGovernanceRetention: true }));
    await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "gov", VersionId: put.VersionId, BypassGovernanceRetention: true }));
  });

  test("COMPLIANCE: nobody deletes the version, not even with bypass; only extending is allowed", async () => {
    const put = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "comp", Body: "c", ObjectLockMode: "COMPLIANCE", ObjectLockRetainUntilDate: inDays(2) }));
    expect((await sdkError(h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "comp", VersionId: put.VersionId, BypassGovernanceRetention: true })))).name).toBe("AccessDenied");
    const multi = await h.client.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: "comp", VersionId: put.VersionId }] } }));
    expect(multi.Errors?.[0]?.Code).toBe("AccessDenied");
    const weaker = { Mode: "GOVERNANCE" as const, RetainUntilDate: inDays(3) };
    expect((await sdkError(h.client.send(new PutObjectRetentionCommand({ Bucket: B, Key: "comp", VersionId: put.VersionId, Retention: weaker, BypassGovernanceRetention: true })))).name).toBe("AccessDenied");
    await h.client.send(new PutObjectRetentionCommand({ Bucket: B, Key: "comp", VersionId: put.VersionId, Retention: { Mode: "COMPLIANCE", RetainUntilDate: inDays(5) } }));
  });

  test("legal hold blocks deletion until released", async () => {
    const put = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "hold", Body: "h" }));
    await h.client.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: "hold", VersionId: put.VersionId, LegalHold: { Status: "ON" } }));
    expect((await h.client.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: "hold", VersionId: put.VersionId }))).LegalHold?.Status).toBe("ON");
    expect((await sdkError(h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "hold", VersionId: put.VersionId, BypassGovernanceRetention: true })))).name).toBe("AccessDenied");
    await h.client.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: "hold", VersionId: put.VersionId, LegalHold: { Status: "OFF" } }));
    await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "hold", VersionId: put.VersionId }));
  });

  test("default retention applies to new versions; bad configurations get AWS's codes", async () => {
    await h.client.send(new PutObjectLockConfigurationCommand({ Bucket: B, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1 } } } }));
    const put = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "dflt", Body: "d" }));
    const ret = await h.client.send(new GetObjectRetentionCommand({ Bucket: B, Key: "dflt", VersionId: put.VersionId }));
    expect(ret.Retention?.Mode).toBe("GOVERNANCE");
    expect(ret.Retention!.RetainUntilDate!.getTime()).toBeGreaterThan(Date.now());
    const zero = h.send("PUT", `/${B}?object-lock`, { body: "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>" });
    expect((await zero).status).toBe(400);
    expect(await (await h.send("PUT", `/${B}?object-lock`, { body: "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>" })).text()).toContain("<Code>InvalidRetentionPeriod</Code>");
    await h.client.send(new PutObjectLockConfigurationCommand({ Bucket: B, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" } }));
  });

  test("CopyObject: the copy's lock comes from its request headers, never from the source", async () => {
    const src = await h.client.send(new PutObjectCommand({ Bucket: B, Key: "copy-src", Body: "s", ObjectLockMode: "COMPLIANCE", ObjectLockRetainUntilDate: inDays(2), ObjectLockLegalHoldStatus: "ON" }));
    const until = inDays(3);
    const gov = await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "copy-gov", CopySource: `${B}/copy-src`, ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: until }));
    const head = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "copy-gov", VersionId: gov.VersionId }));
    expect(head.ObjectLockMode).toBe("GOVERNANCE");
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBe(until.getTime());
    expect(head.ObjectLockLegalHoldStatus).toBeUndefined();
    expect(await sdkError(h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "copy-gov", VersionId: gov.VersionId })))).toEqual({ name: "AccessDenied", status: 403 });
    await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "copy-gov", VersionId: gov.VersionId, BypassGovernanceRetention: true }));
    // No lock headers and no default retention: the copy is unlocked although its source is locked twice over.
    const plain = await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "copy-plain", CopySource: `${B}/copy-src?versionId=${src.VersionId}`, MetadataDirective: "REPLACE", Metadata: { m: "1" } }));
    const ph = await h.client.send(new HeadObjectCommand({ Bucket: B, Key: "copy-plain", VersionId: plain.VersionId }));
    expect([ph.ObjectLockMode, ph.ObjectLockLegalHoldStatus, ph.Metadata?.m]).toEqual([undefined, undefined, "1"]);
    await h.client.send(new DeleteObjectCommand({ Bucket: B, Key: "copy-plain", VersionId: plain.VersionId }));
    const held = await h.client.send(new CopyObjectCommand({ Bucket: B, Key: "copy-held", CopySource: `${B}/copy-src`, ObjectLockLegalHoldStatus: "ON" }));
    expect((await h.client.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: "copy-held", VersionId: held.VersionId }))).LegalHold?.Status).toBe("ON");
    expect((await sdkError(h.client.send(new GetObjectRetentionCommand({ Bucket: B, Key: "copy-held", VersionId: held.VersionId })))).name).toBe("NoSuchObjectLockConfiguration");
  });

  test("CopyObject: the destination's default retention applies; lock headers into a plain bucket are refused", async () => {
    const D = "lock-default-dst";
    await h.client.send(new CreateBucketCommand({ Bucket: D, ObjectLockEnabledForBucket: true }));
    await h.client.send(new PutObjectLockConfigurationCommand({ Bucket: D, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 1 } } } }));
    await h.client.send(new CreateBucketCommand({ Bucket: "copy-plain-src" }));
    await h.client.send(new PutObjectCommand({ Bucket: "copy-plain-src", Key: "p", Body: "p" }));
    const copy = await h.client.send(new CopyObjectCommand({ Bucket: D, Key: "c", CopySource: "copy-plain-src/p" }));
    const ret = await h.client.send(new GetObjectRetentionCommand({ Bucket: D, Key: "c", VersionId: copy.VersionId }));
    expect(ret.Retention?.Mode).toBe("COMPLIANCE");
    expect(ret.Retention!.RetainUntilDate!.getTime()).toBeGreaterThan(Date.now());
    expect(await sdkError(h.client.send(new DeleteObjectCommand({ Bucket: D, Key: "c", VersionId: copy.VersionId, BypassGovernanceRetention: true })))).toEqual({ name: "AccessDenied", status: 403 });
    const refused = h.client.send(new CopyObjectCommand({ Bucket: "copy-plain-src", Key: "q", CopySource: "copy-plain-src/p", ObjectLockLegalHoldStatus: "ON" }));
    expect(await sdkError(refused)).toEqual({ name: "InvalidRequest", status: 400 });
  });
});
