/** Request ids as AWS writes them: 16 upper-case hex digits, unique per request. */
const buf = new Uint8Array(8);

export function newRequestId(): string {
  crypto.getRandomValues(buf);
  let out = "";
  for (const b of buf) out += b.toString(16).padStart(2, "0");
  return out.toUpperCase();
}
