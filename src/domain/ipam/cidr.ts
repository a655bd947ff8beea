/**
 * Address arithmetic for a star network. Pure: no I/O.
 *
 * Host numbers: host 0 is the network address, host 1 is the hub, the last host of the IPv4
 * range is the broadcast address. Leasable hosts are 2 .. size-2.
 *
 * IPv6 rule (documented in docs/addressing.md): a peer's IPv6 address is the network's IPv6
 * prefix plus the peer's IPv4 host number as the interface identifier, so host 13
 * (172.22.2.13 in 172.22.2.0/24) becomes fd4e:6fb7:b3af::d in fd4e:6fb7:b3af::/64 and the hub
 * (host 1) is ::1.
 */

export const MIN_IPV4_PREFIX = 16;
export const MAX_IPV4_PREFIX = 30;

export interface Ipv4Cidr {
  readonly base: number; // network address as an unsigned 32-bit number
  readonly prefix: number;
}

export interface Ipv6Cidr {
  readonly base: bigint;
  readonly prefix: number;
}

export class CidrError extends Error {}

export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) {
    throw new CidrError(`"${text}" is not an IPv4 address`);
  }
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) {
      throw new CidrError(`"${text}" is not an IPv4 address`);
    }
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export function parseIpv6(text: string): bigint {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.includes(':::')) {
    throw new CidrError(`"${text}" is not an IPv6 address`);
  }
  const halves = text.split('::');
  if (halves.length > 2) {
    throw new CidrError(`"${text}" is not an IPv6 address`);
  }
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
    throw new CidrError(`"${text}" is not an IPv6 address`);
  }
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) {
      throw new CidrError(`"${text}" is not an IPv6 address`);
    }
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** RFC 5952 text form: lower case, leading zeros dropped, the longest run of zero groups as "::". */
export function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) {
    groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) {
      j++;
    }
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) {
    return hex.join(':');
  }
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

const OCTET = '(?:0|[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])';
const H = '[0-9a-fA-F]{1,4}';
/** An IPv6 address as parseIpv6 reads it: eight groups, or fewer with one "::" (no dotted quad). */
const IPV6 = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  ...[1, 2, 3, 4, 5, 6].map((tail) => `(?:${H}:){1,${7 - tail}}(?::${H}){1,${tail}}`),
  `:(?:(?::${H}){1,7}|:)`,
].join('|');

/**
 * The spelling of a range, checked first by parseIpv4Cidr/parseIpv6Cidr (on the trimmed text)
 * and published as the schemas' `pattern` (one source): address/prefix. The prefix's bounds and
 * host bits are checked after it, as numbers.
 */
export const IPV4_CIDR_PATTERN = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}\\/\\d{1,3}$`);
export const IPV6_CIDR_PATTERN = new RegExp(`^(?:${IPV6})\\/\\d{1,3}$`);

function splitCidr(text: string, pattern: RegExp): [string, number] {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) {
    throw new CidrError(`"${text}" is not in CIDR notation (address/prefix)`);
  }
  if (!pattern.test(text.trim())) {
    throw new CidrError(`"${text}" is not an ${pattern === IPV4_CIDR_PATTERN ? 'IPv4' : 'IPv6'} range`);
  }
  return [match[1], Number(match[2])];
}

/** A network's own range: /16 (65,533 leasable hosts) to /30. */
export function parseIpv4Cidr(text: string, min = MIN_IPV4_PREFIX, max = MAX_IPV4_PREFIX): Ipv4Cidr {
  const [address, prefix] = splitCidr(text, IPV4_CIDR_PATTERN);
  if (prefix < min || prefix > max) {
    throw new CidrError(`IPv4 prefix must be between /${min} and /${max}`);
  }
  const base = parseIpv4(address);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0; // << 32 would be a no-op
  if ((base & mask) >>> 0 !== base) {
    throw new CidrError(`"${text}" has host bits set; the network address is ${formatIpv4((base & mask) >>> 0)}`);
  }
  return { base, prefix };
}

export function parseIpv6Cidr(text: string, min = 1, max = 120): Ipv6Cidr {
  const [address, prefix] = splitCidr(text, IPV6_CIDR_PATTERN);
  if (prefix < min || prefix > max) {
    throw new CidrError(`IPv6 prefix must be between /${min} and /${max}`);
  }
  const base = parseIpv6(address);
  const hostBits = BigInt(128 - prefix);
  if ((base >> hostBits) << hostBits !== base) {
    throw new CidrError(`"${text}" has host bits set`);
  }
  return { base, prefix };
}

/** Any IPv4 or IPv6 range (for AllowedIPs), in canonical text form. */
export function canonicalCidr(text: string): string {
  return text.includes(':') ? formatIpv6Cidr(parseIpv6Cidr(text, 0, 128)) : formatIpv4Cidr(parseIpv4Cidr(text, 0, 32));
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

export function formatIpv6Cidr(cidr: Ipv6Cidr): string {
  return `${formatIpv6(cidr.base)}/${cidr.prefix}`;
}

/** Number of addresses in the IPv4 range, network and broadcast included. */
export function ipv4Size(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export const HUB_HOST = 1;

export function firstLeasableHost(): number {
  return HUB_HOST + 1;
}

export function lastLeasableHost(cidr: Ipv4Cidr): number {
  return ipv4Size(cidr) - 2;
}

export function leasableCount(cidr: Ipv4Cidr): number {
  return lastLeasableHost(cidr) - firstLeasableHost() + 1;
}

export function isLeasableHost(cidr: Ipv4Cidr, host: number): boolean {
  return Number.isInteger(host) && host >= firstLeasableHost() && host <= lastLeasableHost(cidr);
}

export function ipv4ForHost(cidr: Ipv4Cidr, host: number): string {
  return formatIpv4(cidr.base + host);
}

/** The host number of an IPv4 address inside the range, or null when it is outside. */
export function hostOfIpv4(cidr: Ipv4Cidr, address: string): number | null {
  const value = parseIpv4(address);
  const host = value - cidr.base;
  return host >= 0 && host < ipv4Size(cidr) ? host : null;
}

export function ipv6ForHost(cidr: Ipv6Cidr, host: number): string {
  return formatIpv6(cidr.base + BigInt(host));
}

/** The IPv6 range must hold every IPv4 host number as an interface identifier. */
export function assertIpv6HoldsIpv4Hosts(v4: Ipv4Cidr, v6: Ipv6Cidr): void {
  if (128 - v6.prefix < 32 - v4.prefix) {
    throw new CidrError(`IPv6 prefix /${v6.prefix} is too small for the ${32 - v4.prefix} host bits of the IPv4 range`);
  }
}

/** The pool size of a network: its leasable IPv4 hosts. */
export function poolSize(ipv4Cidr: string): number {
  return leasableCount(parseIpv4Cidr(ipv4Cidr));
}
