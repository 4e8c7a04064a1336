/** format.json codec: JSON validated with zod so a damaged file is FileCorrupt, not a crash. */
import { z } from "zod";
import type { FormatInfo } from "./drive";

const formatSchema = z.object({
  version: z.literal(1),
  deploymentId: z.string().min(1),
  driveId: z.string().min(1),
  sets: z.array(z.array(z.string())),
  parity: z.number().int().nonnegative(),
});

export function encodeFormat(format: FormatInfo): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(format, null, 2) + "\n");
}

/** Null when the bytes are not a valid format.json. */
export function decodeFormat(bytes: Uint8Array): FormatInfo | null {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  const parsed = formatSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
