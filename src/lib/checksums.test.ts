/** Flexible checksum algorithms: published vectors and incremental == one-shot. */
import { describe, expect, test } from "bun:test";
import { CHECKSUM_ALGORITHMS, CHECKSUM_LENGTH, checksumOf, createChecksum, fromBase64, toBase64 } from "./checksums";

const enc = (s: string) => new TextEncoder().encode(s);

describe("known values", () => {
  // "123456789" is the CRC catalogue's check input; SHA values are the standard digests.
  const check: Record<string, string> = {
    CRC32: "cbf43926",
    CRC32C: "e3069283",
    CRC64NVME: "ae8b14860a799888",
    SHA1: "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
    SHA256: "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
  };
  for (const alg of CHECKSUM_ALGORITHMS) {
    test(`${alg} of "123456789"`, async () => {
      expect(Buffer.from(await checksumOf(alg, enc("123456789"))).toString("hex")).toBe(check[alg]!);
    });
  }

  test("CRC32C of the AWS trailer example payload (66560 × 'a') is sOO8/Q==", async () => {
    expect(toBase64(await checksumOf("CRC32C", new Uint8Array(66560).fill(97)))).toBe("sOO8/Q==");
  });
});

describe("incremental hashing", () => {
  const data = new Uint8Array(10_007).map((_, i) => (i * 7 + 3) & 0xff);
  for (const alg of CHECKSUM_ALGORITHMS) {
    test(`${alg}: any split equals the one-shot digest; length matches`, async () => {
      const whole = await checksumOf(alg, data);
      expect(whole.length).toBe(CHECKSUM_LENGTH[alg]);
      for (const cuts of [[0], [1], [4095, 4096], [3, 5, 8, 13, 9000]]) {
        const h = createChecksum(alg);
        let prev = 0;
        for (const c of [...cuts, data.length]) {
          h.update(data.subarray(prev, c));
          prev = c;
        }
        expect(await h.digest()).toEqual(whole);
      }
    });
  }
});

describe("base64", () => {
  test("strict decode rejects what does not round-trip", () => {
    expect(fromBase64("AAAAAA==")).toEqual(new Uint8Array(4));
    expect(fromBase64("AAAAAA")).toBeNull();
    expect(fromBase64("not base64!")).toBeNull();
  });
});
