import { describe, expect, test } from "bun:test";
import { corsConfigurationXml, corsHeadersFor, matchPreflight, parseCorsConfiguration, splitHeaderList } from "./cors";
import { codeOf } from "./config-error.test-helpers";

// As the S3 XML parser hands it over: strings, single elements not wrapped in arrays.
const doc = {
  CORSRule: [
    { ID: "uploads", AllowedOrigin: "https://*.example.com", AllowedMethod: ["PUT", "POST"], AllowedHeader: ["Content-*", "x-amz-*"], ExposeHeader: "ETag", MaxAgeSeconds: "3000" },
    { AllowedOrigin: "*", AllowedMethod: "GET" },
  ],
};
const config = parseCorsConfiguration(doc);

describe("parseCorsConfiguration", () => {
  test("normalizes single elements into lists and numbers", () => {
    expect(config.rules[0]).toEqual({ id: "uploads", allowedOrigins: ["https://*.example.com"], allowedMethods: ["PUT", "POST"], allowedHeaders: ["content-*", "x-amz-*"], exposeHeaders: ["ETag"], maxAgeSeconds: 3000 });
    expect(config.rules[1]).toEqual({ allowedOrigins: ["*"], allowedMethods: ["GET"], allowedHeaders: [], exposeHeaders: [] });
    expect(parseCorsConfiguration({ CORSRule: { AllowedOrigin: "*", AllowedMethod: "HEAD" } }).rules).toHaveLength(1);
  });

  test("round-trips through the XML object", () => {
    expect(parseCorsConfiguration(corsConfigurationXml(config))).toEqual(config);
  });

  test("rejects as AWS does", () => {
    const rule = { AllowedOrigin: "*", AllowedMethod: "GET" };
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { ...rule, AllowedMethod: "PATCH" } }))).toBe("InvalidRequest");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { ...rule, AllowedOrigin: "https://*.*.com" } }))).toBe("InvalidRequest");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { ...rule, AllowedHeader: "x-*-*" } }))).toBe("InvalidRequest");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: Array.from({ length: 101 }, () => rule) }))).toBe("InvalidRequest");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: Array.from({ length: 100 }, () => rule) }))).toBe("accepted");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { AllowedOrigin: "*" } }))).toBe("MalformedXML");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { AllowedMethod: "GET" } }))).toBe("MalformedXML");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { ...rule, MaxAgeSeconds: "soon" } }))).toBe("MalformedXML");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { ...rule, MaxAgeSeconds: "-1" } }))).toBe("MalformedXML");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { ...rule, Bogus: "x" } }))).toBe("MalformedXML");
    expect(codeOf(() => parseCorsConfiguration(""))).toBe("MalformedXML");
    expect(codeOf(() => parseCorsConfiguration({ CORSRule: { ...rule, ID: "x".repeat(256) } }))).toBe("InvalidArgument");
  });
});

describe("matchPreflight", () => {
  test("a matching origin is echoed with credentials; methods, exposed headers, max age", () => {
    const h = matchPreflight(config, { origin: "https://app.example.com", method: "PUT", requestHeaders: ["Content-Type", "X-Amz-Date"] });
    expect(h).toEqual({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "PUT, POST",
      "access-control-allow-headers": "content-type, x-amz-date",
      "access-control-expose-headers": "ETag",
      "access-control-max-age": "3000",
      vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    });
  });

  test("a * rule answers * and no credentials", () => {
    const h = matchPreflight(config, { origin: "https://evil.test", method: "GET" });
    expect(h?.["access-control-allow-origin"]).toBe("*");
    expect(h?.["access-control-allow-credentials"]).toBeUndefined();
    expect(h?.["access-control-allow-headers"]).toBeUndefined();
  });

  test("refuses unlisted methods, origins and headers", () => {
    expect(matchPreflight(config, { origin: "https://app.example.com", method: "DELETE" })).toBeNull();
    expect(matchPreflight(config, { origin: "https://example.com", method: "PUT" })).toBeNull();
    expect(matchPreflight(config, { origin: "http://app.example.com", method: "PUT" })).toBeNull();
    expect(matchPreflight(config, { origin: "https://app.example.com", method: "PUT", requestHeaders: ["Authorization"] })).toBeNull();
    // The GET-for-everyone rule allows no request headers at all.
    expect(matchPreflight(config, { origin: "https://a.test", method: "GET", requestHeaders: ["x-custom"] })).toBeNull();
  });

  test("first matching rule wins", () => {
    const c = parseCorsConfiguration({ CORSRule: [{ AllowedOrigin: "*", AllowedMethod: "GET", MaxAgeSeconds: "1" }, { AllowedOrigin: "*", AllowedMethod: "GET", MaxAgeSeconds: "2" }] });
    expect(matchPreflight(c, { origin: "o", method: "GET" })?.["access-control-max-age"]).toBe("1");
  });

  test("splitHeaderList", () => {
    expect(splitHeaderList(" content-type , x-amz-date,,")).toEqual(["content-type", "x-amz-date"]);
    expect(splitHeaderList(null)).toEqual([]);
  });
});

describe("corsHeadersFor", () => {
  test("matching request gets CORS headers; others only Vary", () => {
    expect(corsHeadersFor(config, { origin: "https://x.example.com", method: "POST" })["access-control-allow-origin"]).toBe("https://x.example.com");
    expect(corsHeadersFor(config, { origin: "https://x.other.com", method: "GET" })["access-control-allow-origin"]).toBe("*");
    expect(corsHeadersFor(config, { origin: "https://x.other.com", method: "PUT" })).toEqual({ vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method" });
  });
});
