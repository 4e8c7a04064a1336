/** The aws-chunked upload examples from the S3 SigV4 documentation ("chunkObject.txt"). */
import type { AuthRequest } from "../types";
import { AKID, bytes, concat } from "./helpers";

const CRED = `Credential=${AKID}/20130524/us-east-1/s3/aws4_request`;

function req(method: string, url: string, headers: Record<string, string>): AuthRequest {
  return { method, url: new URL(url), headers: new Headers(headers) };
}

const SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
export const CHUNK_SIGS = [
  "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
  "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
  "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];
const TRAILER_SEED = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
export const TRAILER_CHUNK_SIGS = [
  "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
  "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
  "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
];
export const TRAILER = "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n";

/** The documentation's 66560 bytes of 'a' as 65536 + 1024 + 0, with the given signatures. */
export function docChunkedBody(sigs: readonly string[], trailer = ""): Uint8Array {
  const a = (n: number) => new Uint8Array(n).fill(97);
  return concat([
    bytes(`10000;chunk-signature=${sigs[0]}\r\n`), a(65536), bytes(`\r\n400;chunk-signature=${sigs[1]}\r\n`), a(1024),
    bytes(`\r\n0;chunk-signature=${sigs[2]}\r\n${trailer}\r\n`),
  ]);
}

export function docChunkedRequest(withTrailer: boolean): AuthRequest {
  const headers: Record<string, string> = {
    host: "s3.amazonaws.com",
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": "66560",
    "content-length": "66824",
  };
  if (withTrailer) {
    headers["x-amz-content-sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    headers["x-amz-trailer"] = "x-amz-checksum-crc32c";
    headers.authorization = `AWS4-HMAC-SHA256 ${CRED},SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature=${TRAILER_SEED}`;
  } else {
    headers["x-amz-content-sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    headers.authorization = `AWS4-HMAC-SHA256 ${CRED},SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${SEED}`;
  }
  return req("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", headers);
}

