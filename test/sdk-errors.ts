/** What an AWS SDK call failed with: the S3 error name and HTTP status (throws if it succeeded). */
import { S3ServiceException } from "@aws-sdk/client-s3";

export async function sdkError(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(e)}`);
  return { name: e.name, status: e.$metadata.httpStatusCode };
}

export async function sdkErrorName(p: Promise<unknown>): Promise<string> {
  return (await sdkError(p)).name;
}
