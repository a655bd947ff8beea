import { describe, expect, it } from 'vitest';
import {
  AggregateNetworkSpecError,
  DEFAULT_KEEPALIVE,
  hubAddresses,
  NetworkSpecError,
  normalizeNetworkSpec,
  peerAddresses,
  type NetworkSpecInput,
} from './network-spec';

const SEED: NetworkSpecInput = {
  name: 'default',
  ipv4Cidr: '172.22.2.0/24',
  ipv6Cidr: 'fd4e:6fb7:b3af::/64',
  endpoint: 'hub.example.org:51820',
};

function errorsOf(input: NetworkSpecInput): AggregateNetworkSpecError {
  try {
    normalizeNetworkSpec(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AggregateNetworkSpecError);
    return error as AggregateNetworkSpecError;
  }
  return expect.fail('normalizeNetworkSpec accepted an invalid network');
}

describe('normalizeNetworkSpec', () => {
  it('fills in the defaults', () => {
    expect(DEFAULT_KEEPALIVE).toBe(30);
    expect(normalizeNetworkSpec(SEED)).toEqual({
      name: 'default',
      ipv4Cidr: '172.22.2.0/24',
      ipv6Cidr: 'fd4e:6fb7:b3af::/64',
      endpoint: 'hub.example.org:51820',
      listenPort: 51820,
      persistentKeepalive: 30,
      dns: [],
      mtu: null,
      allowedIps: ['172.22.2.0/24', 'fd4e:6fb7:b3af::/64'],
    });
  });

  it('takes the listen port from the endpoint, also with a bracketed IPv6 host', () => {
    expect(normalizeNetworkSpec({ ...SEED, endpoint: '[2001:db8::1]:443' }).listenPort).toBe(443);
    expect(normalizeNetworkSpec({ ...SEED, endpoint: '203.0.113.7:1' }).listenPort).toBe(1);
    expect(normalizeNetworkSpec({ ...SEED, listenPort: null }).listenPort).toBe(51820);
  });

  it('keeps explicit values, including a keepalive of 0', () => {
    const spec = normalizeNetworkSpec({
      ...SEED,
      listenPort: 41000,
      persistentKeepalive: 0,
      dns: ['172.22.2.1', 'fd4e:6fb7:b3af::1', 'corp.example.org'],
      mtu: 1380,
      allowedIps: ['10.0.0.0/8', '0.0.0.0/0'],
    });
    expect(spec.listenPort).toBe(41000);
    expect(spec.persistentKeepalive).toBe(0);
    expect(spec.dns).toEqual(['172.22.2.1', 'fd4e:6fb7:b3af::1', 'corp.example.org']);
    expect(spec.mtu).toBe(1380);
    expect(spec.allowedIps).toEqual(['10.0.0.0/8', '0.0.0.0/0']);
    expect(normalizeNetworkSpec({ ...SEED, persistentKeepalive: null }).persistentKeepalive).toBe(30);
    expect(normalizeNetworkSpec({ ...SEED, mtu: null }).mtu).toBeNull();
  });

  it('is IPv4 only when the IPv6 range is missing, null or blank', () => {
    for (const ipv6Cidr of [undefined, null, '', '   ']) {
      const spec = normalizeNetworkSpec({ ...SEED, ipv6Cidr });
      expect(spec.ipv6Cidr, JSON.stringify(ipv6Cidr)).toBeNull();
      expect(spec.allowedIps).toEqual(['172.22.2.0/24']);
    }
  });

  it('stores ranges and AllowedIPs in canonical form', () => {
    const spec = normalizeNetworkSpec({
      ...SEED,
      ipv6Cidr: ' FD4E:6FB7:B3AF:0000:0000::/64 ',
      allowedIps: ['FD00:0::/8', '::/0', '192.168.0.0/16'],
    });
    expect(spec.ipv6Cidr).toBe('fd4e:6fb7:b3af::/64');
    expect(spec.allowedIps).toEqual(['fd00::/8', '::/0', '192.168.0.0/16']);
    expect(normalizeNetworkSpec({ ...SEED, ipv6Cidr: 'FD4E:6FB7:B3AF::/64' }).allowedIps).toEqual([
      '172.22.2.0/24',
      'fd4e:6fb7:b3af::/64',
    ]);
  });

  it('treats an empty AllowedIPs list as the default', () => {
    expect(normalizeNetworkSpec({ ...SEED, allowedIps: [] }).allowedIps).toEqual([
      '172.22.2.0/24',
      'fd4e:6fb7:b3af::/64',
    ]);
  });

  it('reports every bad field at once', () => {
    const aggregate = errorsOf({
      name: 'Bad Name',
      ipv4Cidr: '10.0.0.1/24',
      ipv6Cidr: 'fd00::1/64',
      endpoint: 'nope',
      dns: ['bad dns'],
      allowedIps: ['x', '10.0.0.0/8', '10.0.0.1/8'],
    });
    expect(aggregate.errors.map((e) => e.field)).toEqual([
      'name',
      'ipv4Cidr',
      'ipv6Cidr',
      'endpoint',
      'dns',
      'allowedIps',
      'allowedIps',
    ]);
    for (const e of aggregate.errors) {
      expect(e).toBeInstanceOf(NetworkSpecError);
      expect(e.message.length).toBeGreaterThan(0);
    }
    for (const field of ['name:', 'ipv4Cidr:', 'ipv6Cidr:', 'endpoint:', 'dns:', 'allowedIps:']) {
      expect(aggregate.message).toContain(field);
    }
    expect(aggregate.message).toContain('10.0.0.0'); // the host-bits hint for ipv4Cidr
  });

  it.each([
    ['name', { name: '' }],
    ['name', { name: 'Default' }],
    ['name', { name: 'a'.repeat(33) }],
    ['name', { name: 'lab-' }],
    ['ipv4Cidr', { ipv4Cidr: '10.0.0.0/8' }],
    ['ipv4Cidr', { ipv4Cidr: '10.0.0.0/31' }],
    ['ipv4Cidr', { ipv4Cidr: '172.22.2.0' }],
    ['ipv4Cidr', { ipv4Cidr: 'fd00::/64' }],
    ['ipv6Cidr', { ipv6Cidr: 'fd00::/121' }],
    ['ipv6Cidr', { ipv6Cidr: '172.22.2.0/24' }],
    ['ipv6Cidr', { ipv4Cidr: '10.1.0.0/16', ipv6Cidr: 'fd00::/120' }],
    ['endpoint', { endpoint: 'hub.example.org' }],
    ['endpoint', { endpoint: 'hub.example.org:0' }],
    ['endpoint', { endpoint: '::1:51820' }],
    ['endpoint', { endpoint: 'hub.example.org:51820\nPostUp = rm -rf /' }],
    ['dns', { dns: [''] }],
    ['dns', { dns: ['1.1.1.1', '1.1.1.1 '] }],
    ['dns', { dns: ['a\nb'] }],
    ['dns', { dns: ['a,b'] }],
    ['dns', { dns: ['a'.repeat(254)] }],
    ['allowedIps', { allowedIps: ['10.0.0.1/8'] }],
    ['allowedIps', { allowedIps: ['0.0.0.0/33'] }],
    ['allowedIps', { allowedIps: ['anything'] }],
  ] as [string, Partial<NetworkSpecInput>][])('reports %s for %j', (field, change) => {
    expect(errorsOf({ ...SEED, ...change }).errors.map((e) => e.field)).toEqual([field]);
  });

  it('checks that the IPv6 range holds the IPv4 host numbers', () => {
    expect(() => normalizeNetworkSpec({ ...SEED, ipv4Cidr: '10.1.0.0/16', ipv6Cidr: 'fd00::/112' })).not.toThrow();
    expect(() => normalizeNetworkSpec({ ...SEED, ipv4Cidr: '10.1.0.0/24', ipv6Cidr: 'fd00::/120' })).not.toThrow();
    expect(errorsOf({ ...SEED, ipv4Cidr: '10.1.0.0/16', ipv6Cidr: 'fd00::/113' }).errors[0].message).toMatch(
      /too small/,
    );
  });
});

describe('hubAddresses', () => {
  it('gives the hub host 1 of each range, with the prefix length', () => {
    expect(hubAddresses({ ipv4Cidr: '172.22.2.0/24', ipv6Cidr: 'fd4e:6fb7:b3af::/64' })).toEqual([
      '172.22.2.1/24',
      'fd4e:6fb7:b3af::1/64',
    ]);
    expect(hubAddresses({ ipv4Cidr: '10.1.0.0/16', ipv6Cidr: null })).toEqual(['10.1.0.1/16']);
    expect(hubAddresses({ ipv4Cidr: '10.8.0.4/30', ipv6Cidr: 'fd00:1::/120' })).toEqual([
      '10.8.0.5/30',
      'fd00:1::1/120',
    ]);
  });
});

describe('peerAddresses', () => {
  it('maps a host number to its IPv4 and IPv6 address', () => {
    expect(peerAddresses({ ipv4Cidr: '172.22.2.0/24', ipv6Cidr: 'fd4e:6fb7:b3af::/64' }, 13)).toEqual({
      ipv4: '172.22.2.13',
      ipv6: 'fd4e:6fb7:b3af::d',
    });
    expect(peerAddresses({ ipv4Cidr: '172.22.2.0/24', ipv6Cidr: 'fd4e:6fb7:b3af::/64' }, 254)).toEqual({
      ipv4: '172.22.2.254',
      ipv6: 'fd4e:6fb7:b3af::fe',
    });
    expect(peerAddresses({ ipv4Cidr: '10.1.0.0/16', ipv6Cidr: 'fd00::/112' }, 258)).toEqual({
      ipv4: '10.1.1.2',
      ipv6: 'fd00::102',
    });
  });

  it('has no IPv6 address on an IPv4-only network', () => {
    expect(peerAddresses({ ipv4Cidr: '172.22.2.0/24', ipv6Cidr: null }, 13)).toEqual({
      ipv4: '172.22.2.13',
      ipv6: null,
    });
  });
});

describe('DNS entries', () => {
  const spec = (dns: string[], ipv6Cidr?: string) =>
    normalizeNetworkSpec({ name: 'x', ipv4Cidr: '10.0.0.0/24', ipv6Cidr, endpoint: 'hub.example:51820', dns });

  it.each([['-'], [':'], ['.'], ['a..b'], ['1.2.3'], ['-lan'], ['lan-'], ['300.1.1.1'], ['a b'], ['x'.repeat(64)]])(
    'refuses %s (neither an IP address nor a host name)',
    (entry) => {
      expect(() => spec([entry])).toThrow(AggregateNetworkSpecError);
    },
  );

  it('accepts IPv4 servers and search domains; IPv6 servers only on a network with an IPv6 range', () => {
    expect(spec(['1.1.1.1', 'corp.example', 'lan']).dns).toEqual(['1.1.1.1', 'corp.example', 'lan']);
    expect(() => spec(['2606:4700::1111'])).toThrow(/IPv6 DNS server needs a network with an IPv6 range/);
    expect(spec(['2606:4700::1111'], 'fd00:1::/64').dns).toEqual(['2606:4700::1111']);
  });
});
