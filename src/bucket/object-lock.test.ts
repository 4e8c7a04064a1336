import { describe, expect, test } from "bun:test";
import { codeOf } from "./config-error.test-helpers";
import {
  canDelete, canOverwrite, checkRetentionChange, lockForNewVersion, lockStateFromMeta, lockStateToMeta, objectLockConfigurationXml,
  parseLegalHold, parseObjectLockConfiguration, parseRetention, type Retention, type VersionLockState,
} from "./object-lock";

const now = new Date("2024-05-01T12:00:00Z");
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);

describe("ObjectLockConfiguration", () => {
  test("enabled with and without default retention; round trip", () => {
    expect(parseObjectLockConfiguration({ ObjectLockEnabled: "Enabled" })).toEqual({ enabled: true });
    const c = parseObjectLockConfiguration({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: "1" } } });
    expect(c).toEqual({ enabled: true, defaultRetention: { mode: "COMPLIANCE", years: 1 } });
    expect(parseObjectLockConfiguration(objectLockConfigurationXml(c))).toEqual(c);
  });

  test("rejects bad documents with AWS codes", () => {
    const dr = (x: Record<string, string>) => ({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", ...x } } });
    expect(codeOf(() => parseObjectLockConfiguration(dr({ Days: "0" })))).toBe("InvalidRetentionPeriod");
    expect(codeOf(() => parseObjectLockConfiguration(dr({ Years: "-2" })))).toBe("InvalidRetentionPeriod");
    expect(codeOf(() => parseObjectLockConfiguration(dr({ Years: "101" })))).toBe("InvalidRetentionPeriod");
    expect(codeOf(() => parseObjectLockConfiguration(dr({ Days: "1", Years: "1" })))).toBe("MalformedXML");
    expect(codeOf(() => parseObjectLockConfiguration(dr({})))).toBe("MalformedXML");
    expect(codeOf(() => parseObjectLockConfiguration({ ObjectLockEnabled: "Disabled" }))).toBe("MalformedXML");
    expect(codeOf(() => parseObjectLockConfiguration({ ...dr({ Days: "1" }), Rule: { DefaultRetention: { Mode: "FOREVER", Days: "1" } } }))).toBe("MalformedXML");
  });
});

describe("Retention and LegalHold documents", () => {
  test("parse", () => {
    expect(parseRetention({ Mode: "GOVERNANCE", RetainUntilDate: "2025-01-01T00:00:00Z" }, now)).toEqual({ mode: "GOVERNANCE", retainUntil: new Date("2025-01-01T00:00:00Z") });
    expect(parseRetention("", now)).toBeUndefined();
    expect(parseLegalHold({ Status: "ON" })).toBe(true);
    expect(parseLegalHold({ Status: "OFF" })).toBe(false);
  });
  test("reject", () => {
    expect(codeOf(() => parseRetention({ Mode: "GOVERNANCE", RetainUntilDate: "2020-01-01T00:00:00Z" }, now))).toBe("InvalidArgument");
    expect(codeOf(() => parseRetention({ Mode: "GOVERNANCE", RetainUntilDate: "next year" }, now))).toBe("InvalidArgument");
    expect(codeOf(() => parseRetention({ Mode: "GOVERNANCE" }, now))).toBe("MalformedXML");
    expect(codeOf(() => parseLegalHold({ Status: "on" }))).toBe("MalformedXML");
  });
});

describe("lockForNewVersion", () => {
  const days = parseObjectLockConfiguration({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: "10" } } });
  test("default retention is counted from the write", () => {
    expect(lockForNewVersion(days, {}, now)).toEqual({ retention: { mode: "GOVERNANCE", retainUntil: later(10) }, legalHold: false });
    const years = parseObjectLockConfiguration({ ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Years: "2" } } });
    expect(lockForNewVersion(years, {}, new Date("2024-02-29T00:00:00Z")).retention?.retainUntil.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(lockForNewVersion({ enabled: true }, {}, now)).toEqual({ legalHold: false });
  });
  test("explicit headers win; legal hold alone keeps the default retention", () => {
    expect(lockForNewVersion(days, { mode: "COMPLIANCE", retainUntilDate: "2030-01-01T00:00:00Z" }, now).retention).toEqual({ mode: "COMPLIANCE", retainUntil: new Date("2030-01-01T00:00:00Z") });
    expect(lockForNewVersion(days, { legalHold: "ON" }, now)).toEqual({ retention: { mode: "GOVERNANCE", retainUntil: later(10) }, legalHold: true });
  });
  test("bad headers", () => {
    expect(codeOf(() => lockForNewVersion(days, { mode: "GOVERNANCE" }, now))).toBe("InvalidArgument");
    expect(codeOf(() => lockForNewVersion(days, { mode: "SOFT", retainUntilDate: "2030-01-01T00:00:00Z" }, now))).toBe("InvalidArgument");
    expect(codeOf(() => lockForNewVersion(days, { mode: "GOVERNANCE", retainUntilDate: "2020-01-01T00:00:00Z" }, now))).toBe("InvalidArgument");
    expect(codeOf(() => lockForNewVersion(days, { legalHold: "yes" }, now))).toBe("InvalidArgument");
    expect(codeOf(() => lockForNewVersion(undefined, { legalHold: "ON" }, now))).toBe("InvalidRequest");
    expect(lockForNewVersion(undefined, {}, now)).toEqual({ legalHold: false });
  });
});

describe("delete and overwrite checks", () => {
  const gov: VersionLockState = { retention: { mode: "GOVERNANCE", retainUntil: later(1) }, legalHold: false };
  const comp: VersionLockState = { retention: { mode: "COMPLIANCE", retainUntil: later(1) }, legalHold: false };
  const check = (state: VersionLockState, bypass: boolean, at = now) => {
    const r = canDelete(state, { bypassGovernance: bypass, now: at });
    return r.ok ? "ok" : r.error.code;
  };
  test("governance: locked unless bypassed; compliance: locked for everyone; both end at the date", () => {
    expect(check(gov, false)).toBe("AccessDenied");
    expect(check(gov, true)).toBe("ok");
    expect(check(comp, true)).toBe("AccessDenied");
    expect(check(comp, true, later(1))).toBe("ok");
    expect(check({ legalHold: false }, false)).toBe("ok");
  });
  test("legal hold blocks even with bypass and after the date", () => {
    expect(check({ ...gov, legalHold: true }, true, later(5))).toBe("AccessDenied");
    expect(canOverwrite({ legalHold: true }, { bypassGovernance: true, now }).ok).toBe(false);
    expect(canOverwrite(gov, { bypassGovernance: false, now }).ok).toBe(false);
  });
});

describe("checkRetentionChange", () => {
  const r = (mode: Retention["mode"], days: number): Retention => ({ mode, retainUntil: later(days) });
  const change = (cur: Retention | undefined, next: Retention | undefined, bypass = false, at = now) => checkRetentionChange(cur, next, { bypassGovernance: bypass, now: at }).ok;
  test("compliance can only be extended", () => {
    expect(change(r("COMPLIANCE", 5), r("COMPLIANCE", 6))).toBe(true);
    expect(change(r("COMPLIANCE", 5), r("COMPLIANCE", 5))).toBe(true);
    expect(change(r("COMPLIANCE", 5), r("COMPLIANCE", 4), true)).toBe(false);
    expect(change(r("COMPLIANCE", 5), r("GOVERNANCE", 9), true)).toBe(false);
    expect(change(r("COMPLIANCE", 5), undefined, true)).toBe(false);
  });
  test("governance can be shortened or removed only with bypass; strengthening is free", () => {
    expect(change(r("GOVERNANCE", 5), r("GOVERNANCE", 9))).toBe(true);
    expect(change(r("GOVERNANCE", 5), r("COMPLIANCE", 9))).toBe(true);
    expect(change(r("GOVERNANCE", 5), r("GOVERNANCE", 1))).toBe(false);
    expect(change(r("GOVERNANCE", 5), r("GOVERNANCE", 1), true)).toBe(true);
    expect(change(r("GOVERNANCE", 5), undefined)).toBe(false);
    expect(change(r("GOVERNANCE", 5), undefined, true)).toBe(true);
  });
  test("no or expired retention can be set to anything", () => {
    expect(change(undefined, r("GOVERNANCE", 1))).toBe(true);
    expect(change(r("COMPLIANCE", 1), r("GOVERNANCE", 3), false, later(2))).toBe(true);
  });
});

describe("system metadata", () => {
  test("round trip and clearing", () => {
    const state = { retention: { mode: "COMPLIANCE" as const, retainUntil: later(3) }, legalHold: true };
    const meta = lockStateToMeta(state);
    const system = Object.fromEntries(Object.entries(meta).filter((e): e is [string, string] => e[1] !== null));
    expect(lockStateFromMeta(system)).toEqual(state);
    expect(lockStateToMeta({ legalHold: false })).toEqual({ "x-amz-object-lock-mode": null, "x-amz-object-lock-retain-until-date": null, "x-amz-object-lock-legal-hold": null });
    expect(lockStateFromMeta(undefined)).toEqual({ legalHold: false });
  });
});
