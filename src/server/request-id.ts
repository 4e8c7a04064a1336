/** Request ids as AWS writes them: 16 upper-case hex digits, unique per request. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0").toUpperCase());
const ID_BYTES = 8;
// Random bytes for 512 ids at a time: one getRandomValues call per request showed in the
// small-GET profile, and so did formatting each byte with toString/padStart.
const pool = new Uint8Array(ID_BYTES * 512);
let at = pool.length;

export function newRequestId(): string {
  if (at === pool.length) {
    crypto.getRandomValues(pool);
    at = 0;
  }
  let out = "";
  for (let i = at; i < at + ID_BYTES; i++) out += HEX[pool[i]!];
  at += ID_BYTES;
  return out;
}
