/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress conditions. Addresses
 * become bigints so one containment test serves both families; IPv4-mapped IPv6 addresses
 * (`::ffff:1.2.3.4`, as a dual-stack socket reports IPv4 peers) are treated as IPv4.
 */
export interface Cidr {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

function parseV4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    out = (out << 8n) | BigInt(Number(p));
  }
  return out;
}

function parseGroups(s: string): number[] | null {
  if (s === "") return [];
  const out: number[] = [];
  for (const g of s.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

function parseV6(s: string): bigint | null {
  let text = s;
  if (text.includes(".")) {
    // A dotted IPv4 tail (`::ffff:1.2.3.4`) is two hex groups in disguise.
    const lastColon = text.lastIndexOf(":");
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? "");
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (head === null || rest === null) return null;
  const known = head.length + rest.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** An address as (family, value), IPv4-mapped IPv6 folded to IPv4; null when unparsable. */
export function parseIp(s: string): { family: 4 | 6; value: bigint } | null {
  const v4 = parseV4(s);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = s.includes(":") ? parseV6(s.replace(/%.*$/, "")) : null;
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). */
export function parseCidr(s: string): Cidr | null {
  const [addr = "", bitsText, extra] = s.trim().split("/");
  if (extra !== undefined) return null;
  const ip = parseIp(addr);
  if (ip === null) return null;
  const max = ip.family === 4 ? 32 : 128;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return null;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (bits > max) return null;
  return { family: ip.family, base: ip.value >> BigInt(max - bits), bits };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const parsed = parseIp(ip);
  if (parsed === null || parsed.family !== cidr.family) return false;
  const max = cidr.family === 4 ? 32 : 128;
  return parsed.value >> BigInt(max - cidr.bits) === cidr.base;
}
