/** @aws-sdk/client-s3 pointed at a test server: path style, the test credentials, no retries. */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { ACCESS_KEY, REGION, SECRET_KEY } from "./e2e/harness";

export function sdkClient(endpoint: string, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
    ...extra,
  });
}
