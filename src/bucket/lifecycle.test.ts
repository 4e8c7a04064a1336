import { describe, expect, test } from "bun:test";
import { BucketConfigError } from "./errors";
import { expirationHeader, expiryTime, lifecycleConfigurationXml, objectAction, parseLifecycleConfiguration, uploadAction, type VersionFacts } from "./lifecycle";

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof BucketConfigError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "accepted";
}

const d = (s: string) => new Date(s);
const rule = (extra: Record<string, unknown>) => ({ ID: "r", Status: "Enabled", Filter: { Prefix: "logs/" }, ...extra });
const parseRules = (...rules: Record<string, unknown>[]) => parseLifecycleConfiguration({ Rule: rules });

describe("expiryTime rounds up to the next midnight UTC", () => {
  test("AWS's example and edges", () => {
    expect(expiryTime(d("2014-01-15T10:30:00Z"), 3).toISOString()).toBe("2014-01-19T00:00:00.000Z");
    expect(expiryTime(d("2014-01-15T23:59:59.999Z"), 1).toISOString()).toBe("2014-01-17T00:00:00.000Z");
    expect(expiryTime(d("2014-01-15T00:00:00Z"), 1).toISOString()).toBe("2014-01-17T00:00:00.000Z");
    expect(expiryTime(d("2016-02-28T12:00:00Z"), 1).toISOString()).toBe("2016-03-01T00:00:00.000Z");
  });
});

describe("parseLifecycleConfiguration", () => {
  test("filters: prefix, tag, And, sizes, legacy prefix, empty filter", () => {
    const c = parseRules(
      rule({ Expiration: { Days: "30" } }),
      { ID: "t", Status: "Disabled", Filter: { Tag: { Key: "k", Value: "v" } }, Expiration: { Date: "2030-01-01T00:00:00Z" } },
      { ID: "a", Status: "Enabled", Filter: { And: { Prefix: "x/", Tag: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }], ObjectSizeGreaterThan: "10", ObjectSizeLessThan: "100" } }, NoncurrentVersionExpiration: { NoncurrentDays: "7", NewerNoncurrentVersions: "2" } },
      { ID: "l", Status: "Enabled", Prefix: "", AbortIncompleteMultipartUpload: { DaysAfterInitiation: "1" } },
      { ID: "e", Status: "Enabled", Filter: "", Expiration: { ExpiredObjectDeleteMarker: "true" } },
    );
    expect(c.rules.map((r) => r.filter)).toEqual([
      { prefix: "logs/", tags: [] },
      { prefix: "", tags: [{ key: "k", value: "v" }] },
      { prefix: "x/", tags: [{ key: "a", value: "1" }, { key: "b", value: "2" }], sizeGreaterThan: 10, sizeLessThan: 100 },
      { prefix: "", tags: [] },
      { prefix: "", tags: [] },
    ]);
    expect(c.rules[1]?.enabled).toBe(false);
    expect(c.rules[2]?.noncurrentExpiration).toEqual({ days: 7, newerNoncurrentVersions: 2 });
    expect(c.rules[3]?.legacyPrefix).toBe(true);
    expect(parseLifecycleConfiguration(lifecycleConfigurationXml(c))).toEqual(c);
  });

  test("rejects as AWS does", () => {
    const cases: [Record<string, unknown>, string][] = [
      [rule({}), "InvalidRequest: At least one action needs to be specified in a rule"],
      [rule({ Expiration: { Days: "0" } }), "InvalidArgument: 'Days' for Expiration action must be a positive integer"],
      [rule({ Expiration: { Date: "2030-01-01T10:00:00Z" } }), "InvalidArgument: 'Date' must be at midnight GMT"],
      [rule({ Expiration: { Days: "1", Date: "2030-01-01T00:00:00Z" } }), expect.stringContaining("MalformedXML") as unknown as string],
      [rule({ Expiration: { Date: "someday" } }), expect.stringContaining("MalformedXML") as unknown as string],
      [rule({ NoncurrentVersionExpiration: { NoncurrentDays: "-1" } }), "InvalidArgument: 'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"],
      [rule({ NoncurrentVersionExpiration: { NoncurrentDays: "1", NewerNoncurrentVersions: "101" } }), expect.stringContaining("InvalidArgument") as unknown as string],
      [rule({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: "0" } }), "InvalidArgument: 'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer"],
      [rule({ Filter: { Tag: { Key: "k", Value: "v" } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: "1" } }), "InvalidArgument: AbortIncompleteMultipartUpload cannot be specified with Tags."],
      [rule({ Filter: { Tag: { Key: "k", Value: "v" } }, Expiration: { ExpiredObjectDeleteMarker: "true" } }), "InvalidArgument: ExpiredObjectDeleteMarker cannot be specified with tags."],
      [rule({ Filter: { Prefix: "a", Tag: { Key: "k", Value: "v" } }, Expiration: { Days: "1" } }), expect.stringContaining("MalformedXML") as unknown as string],
      [rule({ Prefix: "a", Expiration: { Days: "1" } }), expect.stringContaining("MalformedXML") as unknown as string],
      [{ Status: "Enabled", Expiration: { Days: "1" } }, expect.stringContaining("MalformedXML") as unknown as string],
      [rule({ Status: "On", Expiration: { Days: "1" } }), expect.stringContaining("MalformedXML") as unknown as string],
      [rule({ Filter: { And: { Tag: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] } }, Expiration: { Days: "1" } }), "InvalidRequest: Duplicate Tag Keys are not allowed."],
      [rule({ Filter: { And: { ObjectSizeGreaterThan: "10", ObjectSizeLessThan: "10" } }, Expiration: { Days: "1" } }), expect.stringContaining("InvalidArgument") as unknown as string],
      [rule({ ID: "x".repeat(256), Expiration: { Days: "1" } }), "InvalidArgument: ID length should not exceed allowed limit of 255"],
      [rule({ Transition: { Days: "1", StorageClass: "GLACIER" } }), "NotImplemented: Lifecycle transitions are not implemented"],
    ];
    for (const [r, want] of cases) expect(codeOf(() => parseRules(r))).toEqual(want);
    expect(codeOf(() => parseRules(rule({ Expiration: { Days: "1" } }), rule({ Expiration: { Days: "2" } })))).toBe("InvalidArgument: Rule ID must be unique. Found same ID for more than one rule");
    const many = Array.from({ length: 1001 }, (_, i) => rule({ ID: `r${i}`, Expiration: { Days: "1" } }));
    expect(codeOf(() => parseRules(...many))).toContain("InvalidRequest");
    expect(codeOf(() => parseRules(...many.slice(0, 1000)))).toBe("accepted");
  });
});

const latest = (over: Partial<VersionFacts>): VersionFacts => ({ key: "logs/a", size: 50, modTime: d("2024-01-15T10:30:00Z"), isLatest: true, deleteMarker: false, versionCount: 1, now: d("2024-01-15T10:30:00Z"), ...over });

describe("objectAction", () => {
  const days30 = parseRules(rule({ Expiration: { Days: "30" } }));

  test("current version expires at the rounded-up due time, not before", () => {
    expect(objectAction(days30, latest({ now: d("2024-02-14T23:59:59Z") }))).toEqual({ action: "keep" });
    expect(objectAction(days30, latest({ now: d("2024-02-15T00:00:00Z") }))).toEqual({ action: "expireCurrent", ruleId: "r", due: d("2024-02-15T00:00:00Z") });
    expect(objectAction(days30, latest({ key: "other/a", now: d("2025-01-01T00:00:00Z") }))).toEqual({ action: "keep" });
  });

  test("date-based expiration and disabled rules", () => {
    const c = parseRules(rule({ Expiration: { Date: "2024-03-01T00:00:00Z" } }));
    expect(objectAction(c, latest({ now: d("2024-02-29T23:00:00Z") })).action).toBe("keep");
    expect(objectAction(c, latest({ now: d("2024-03-01T00:00:00Z") })).action).toBe("expireCurrent");
    const off = parseRules(rule({ Status: "Disabled", Expiration: { Date: "2024-03-01T00:00:00Z" } }));
    expect(objectAction(off, latest({ now: d("2030-01-01T00:00:00Z") })).action).toBe("keep");
  });

  test("tag and size filters", () => {
    const c = parseRules(rule({ Filter: { And: { Prefix: "logs/", Tag: { Key: "tmp", Value: "yes" }, ObjectSizeGreaterThan: "10" } }, Expiration: { Days: "1" } }));
    const late = d("2030-01-01T00:00:00Z");
    expect(objectAction(c, latest({ now: late, tags: { tmp: "yes" } })).action).toBe("expireCurrent");
    expect(objectAction(c, latest({ now: late, tags: { tmp: "no" } })).action).toBe("keep");
    expect(objectAction(c, latest({ now: late })).action).toBe("keep");
    expect(objectAction(c, latest({ now: late, tags: { tmp: "yes" }, size: 10 })).action).toBe("keep");
  });

  test("noncurrent versions expire counted from when they became noncurrent, keeping the newest N", () => {
    const c = parseRules(rule({ NoncurrentVersionExpiration: { NoncurrentDays: "5", NewerNoncurrentVersions: "1" } }));
    const nc = (index: number, now: string) => objectAction(c, latest({ isLatest: false, versionCount: 3, noncurrentIndex: index, modTime: d("2024-01-01T00:00:00Z"), successorModTime: d("2024-01-10T12:00:00Z"), now: d(now) }));
    expect(nc(1, "2024-01-15T23:59:59Z").action).toBe("keep");
    expect(nc(1, "2024-01-16T00:00:00Z")).toEqual({ action: "deleteNoncurrent", ruleId: "r", due: d("2024-01-16T00:00:00Z") });
    expect(nc(0, "2030-01-01T00:00:00Z").action).toBe("keep");
    // Current-version rules do not touch noncurrent versions and vice versa.
    expect(objectAction(days30, latest({ isLatest: false, versionCount: 2, noncurrentIndex: 0, now: d("2030-01-01T00:00:00Z") })).action).toBe("keep");
    expect(objectAction(c, latest({ now: d("2030-01-01T00:00:00Z") })).action).toBe("keep");
  });

  test("expired delete markers: only when alone; by the flag or by Days", () => {
    const flag = parseRules(rule({ Expiration: { ExpiredObjectDeleteMarker: "true" } }));
    const marker = (count: number, c = flag, now = "2024-01-15T10:30:00Z") => objectAction(c, latest({ deleteMarker: true, size: 0, versionCount: count, now: d(now) })).action;
    expect(marker(1)).toBe("deleteMarkerCleanup");
    expect(marker(2)).toBe("keep");
    expect(marker(1, days30, "2024-02-14T00:00:00Z")).toBe("keep");
    expect(marker(1, days30, "2024-02-15T00:00:00Z")).toBe("deleteMarkerCleanup");
    const off = parseRules(rule({ Expiration: { ExpiredObjectDeleteMarker: "false" } }));
    expect(marker(1, off)).toBe("keep");
  });

  test("x-amz-expiration header names the earliest rule", () => {
    const c = parseRules(rule({ ID: "late", Expiration: { Days: "30" } }), rule({ ID: "soon", Expiration: { Days: "3" } }));
    expect(expirationHeader(c, latest({}))).toBe('expiry-date="Fri, 19 Jan 2024 00:00:00 GMT", rule-id="soon"');
    expect(expirationHeader(c, latest({ key: "x" }))).toBeUndefined();
  });
});

describe("uploadAction", () => {
  const c = parseRules(rule({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: "2" } }));
  test("aborts uploads under the prefix after DaysAfterInitiation (rounded to midnight)", () => {
    const initiated = d("2024-01-15T10:30:00Z");
    expect(uploadAction(c, { key: "logs/big", initiated, now: d("2024-01-17T23:59:59Z") })).toEqual({ action: "keep" });
    expect(uploadAction(c, { key: "logs/big", initiated, now: d("2024-01-18T00:00:00Z") })).toEqual({ action: "abort", ruleId: "r", due: d("2024-01-18T00:00:00Z") });
    expect(uploadAction(c, { key: "data/big", initiated, now: d("2030-01-01T00:00:00Z") }).action).toBe("keep");
  });
});
