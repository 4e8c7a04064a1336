export { parseXml, readBodyBytes, decodeUtf8, XML_BODY_LIMIT, XML_LIST_BODY_LIMIT } from "./parser";
export { buildXml, escapeXml, S3_XMLNS, type XmlValue } from "./builder";
export * as schemas from "./schemas";
export * as responses from "./responses";
export { XmlWriter, type XmlScalar } from "./writer";
