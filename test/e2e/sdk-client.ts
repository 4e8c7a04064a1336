/** An AWS SDK client for a harness server with the e2e credentials, one attempt per call. */
import { S3Client } from "@aws-sdk/client-s3";
import { ACCESS_KEY, REGION, SECRET_KEY, type ServerHandle } from "./harness";

export function sdkClient(server: ServerHandle): S3Client {
  return new S3Client({
    endpoint: server.url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
  });
}
