import {
  assertIpv6HoldsIpv4Hosts,
  canonicalCidr,
  CidrError,
  formatIpv4Cidr,
  formatIpv6Cidr,
  HUB_HOST,
  ipv4ForHost,
  ipv6ForHost,
  parseIpv4,
  parseIpv4Cidr,
  parseIpv6,
  parseIpv6Cidr,
} from '../ipam/cidr';
import { hasControlCharacters, isHostName, isValidEndpoint, NETWORK_NAME_PATTERN } from '../text/text';

/** What a network is made of, as an admin or the environment states it. */
export interface NetworkSpecInput {
  readonly name: string;
  readonly ipv4Cidr: string;
  readonly ipv6Cidr?: string | null;
  readonly endpoint: string;
  readonly listenPort?: number | null;
  readonly persistentKeepalive?: number | null;
  readonly dns?: readonly string[];
  readonly mtu?: number | null;
  readonly allowedIps?: readonly string[];
}

export interface NetworkSpec {
  readonly name: string;
  readonly ipv4Cidr: string;
  readonly ipv6Cidr: string | null;
  readonly endpoint: string;
  readonly listenPort: number;
  readonly persistentKeepalive: number;
  readonly dns: readonly string[];
  readonly mtu: number | null;
  readonly allowedIps: readonly string[];
}

export class NetworkSpecError extends Error {
  constructor(
    readonly field: keyof NetworkSpecInput,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_KEEPALIVE = 30;
/** A DNS line entry: a server's IPv4 or IPv6 address, or a search domain; null for anything else. */
function dnsEntryKind(entry: string): 'ipv4' | 'ipv6' | 'domain' | null {
  if (hasControlCharacters(entry)) {
    return null;
  }
  for (const [kind, parse] of [
    ['ipv4', parseIpv4],
    ['ipv6', parseIpv6],
  ] as const) {
    try {
      parse(entry);
      return kind;
    } catch {
      // not this kind
    }
  }
  return isHostName(entry) ? 'domain' : null;
}

/**
 * Checks and normalises a network. Defaults: listen port = the endpoint's port; keepalive 30 (as
 * in the seed); AllowedIPs handed to nodes = the network's own ranges only, so only VPN traffic
 * goes through the hub. Reports every bad field, not just the first.
 */
export function normalizeNetworkSpec(input: NetworkSpecInput): NetworkSpec {
  const errors: NetworkSpecError[] = [];
  const attempt = <T>(field: keyof NetworkSpecInput, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof CidrError || error instanceof NetworkSpecError)) {
        throw error;
      }
      errors.push(new NetworkSpecError(field, error.message));
      return undefined;
    }
  };
  if (!NETWORK_NAME_PATTERN.test(input.name)) {
    errors.push(new NetworkSpecError('name', 'a slug of 1 to 32 characters: a-z, 0-9 and "-" inside'));
  }
  const v4 = attempt('ipv4Cidr', () => parseIpv4Cidr(input.ipv4Cidr));
  const v6Text = input.ipv6Cidr?.trim() ?? '';
  const v6 = v6Text === '' ? null : attempt('ipv6Cidr', () => parseIpv6Cidr(v6Text));
  if (v4 && v6) {
    attempt('ipv6Cidr', () => assertIpv6HoldsIpv4Hosts(v4, v6));
  }
  if (!isValidEndpoint(input.endpoint)) {
    errors.push(new NetworkSpecError('endpoint', 'host:port, with an IPv6 host in brackets'));
  }
  const dns = [...(input.dns ?? [])];
  if (dns.some((d) => dnsEntryKind(d) === null)) {
    errors.push(new NetworkSpecError('dns', 'IP addresses of DNS servers or search domains (host names)'));
  } else if (v6Text === '' && dns.some((d) => dnsEntryKind(d) === 'ipv6')) {
    // The node gets no IPv6 address on an IPv4-only network; NetworkManager drops such a server.
    errors.push(new NetworkSpecError('dns', 'an IPv6 DNS server needs a network with an IPv6 range'));
  }
  const allowedIps = (input.allowedIps ?? []).map((cidr) => attempt('allowedIps', () => canonicalCidr(cidr)));
  if (errors.length > 0) {
    throw new AggregateNetworkSpecError(errors);
  }
  const ipv4Cidr = formatIpv4Cidr(v4!);
  const ipv6Cidr = v6 ? formatIpv6Cidr(v6) : null;
  return {
    name: input.name,
    ipv4Cidr,
    ipv6Cidr,
    endpoint: input.endpoint,
    listenPort: input.listenPort ?? Number(input.endpoint.slice(input.endpoint.lastIndexOf(':') + 1)),
    persistentKeepalive: input.persistentKeepalive ?? DEFAULT_KEEPALIVE,
    dns,
    mtu: input.mtu ?? null,
    allowedIps: allowedIps.length > 0 ? (allowedIps as string[]) : [ipv4Cidr, ...(ipv6Cidr ? [ipv6Cidr] : [])],
  };
}

export class AggregateNetworkSpecError extends Error {
  constructor(readonly errors: readonly NetworkSpecError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

/** The hub's own VPN addresses: the first host of each range. */
export function hubAddresses(spec: Pick<NetworkSpec, 'ipv4Cidr' | 'ipv6Cidr'>): string[] {
  const v4 = parseIpv4Cidr(spec.ipv4Cidr);
  const out = [`${ipv4ForHost(v4, HUB_HOST)}/${v4.prefix}`];
  if (spec.ipv6Cidr) {
    const v6 = parseIpv6Cidr(spec.ipv6Cidr);
    out.push(`${ipv6ForHost(v6, HUB_HOST)}/${v6.prefix}`);
  }
  return out;
}

/** A peer's addresses (without prefix length) for a host number. */
export function peerAddresses(
  spec: Pick<NetworkSpec, 'ipv4Cidr' | 'ipv6Cidr'>,
  host: number,
): { ipv4: string; ipv6: string | null } {
  const v4 = parseIpv4Cidr(spec.ipv4Cidr);
  return {
    ipv4: ipv4ForHost(v4, host),
    ipv6: spec.ipv6Cidr ? ipv6ForHost(parseIpv6Cidr(spec.ipv6Cidr), host) : null,
  };
}
