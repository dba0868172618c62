/**
 * IPv4 and IPv6 addresses as 128-bit numbers (IPv4 mapped into ::ffff:0:0/96), so that one
 * prefix comparison serves both families.
 */
export interface CidrRange {
  base: bigint;
  mask: bigint;
}

const V4_MAPPED = 0xffff00000000n;
const ALL = (1n << 128n) - 1n;

export function parseIp(input: string): bigint | undefined {
  if (input.length > 64) return undefined;
  if (input.includes(':')) return parseV6(input);
  const v4 = parseV4(input);
  return v4 === undefined ? undefined : V4_MAPPED | v4;
}

/** "10.0.0.0/8", "2001:db8::/32", or a single address (a /32 or /128). */
export function parseCidr(input: string): CidrRange | undefined {
  const slash = input.indexOf('/');
  const addr = slash < 0 ? input : input.slice(0, slash);
  const ip = parseIp(addr);
  if (ip === undefined) return undefined;
  const isV4 = !addr.includes(':');
  const max = isV4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const text = input.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text)) return undefined;
    bits = Number(text);
    if (bits > max) return undefined;
  }
  const prefix = BigInt(bits + (isV4 ? 96 : 0));
  const mask = prefix === 0n ? 0n : (ALL << (128n - prefix)) & ALL;
  return { base: ip & mask, mask };
}

export const inRange = (ip: bigint, range: CidrRange) => (ip & range.mask) === range.base;

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail: bigint | undefined;
  let tailGroups = 0;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail = parseV4(s.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}0:0`;
    tailGroups = 2;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  if (tail !== undefined && tailGroups) n = (n & ~0xffffffffn) | tail;
  return n;
}
