/** The S3 protocol front: routing, XML shapes, the error table and the handlers. */
export { createS3Handler, type RequestContext, type S3Handler } from "./dispatch";
export type { S3Deps } from "./context";
export { parseEndpoint, type Endpoint, type EndpointOp } from "./router";
export { S3Error, S3_ERRORS, type S3Code } from "./errors";
export { parseXml, buildXml, schemas, responses, S3_XMLNS } from "./xml/index";
export { lifecycleTargetOf } from "./handlers/lifecycle";
