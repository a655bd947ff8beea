import { describe, expect, it } from 'vitest';
import {
  assertIpv6HoldsIpv4Hosts,
  canonicalCidr,
  CidrError,
  firstLeasableHost,
  formatIpv4,
  formatIpv4Cidr,
  formatIpv6,
  formatIpv6Cidr,
  hostOfIpv4,
  HUB_HOST,
  IPV4_CIDR_PATTERN,
  IPV6_CIDR_PATTERN,
  ipv4ForHost,
  ipv4Size,
  ipv6ForHost,
  isLeasableHost,
  lastLeasableHost,
  leasableCount,
  MAX_IPV4_PREFIX,
  MIN_IPV4_PREFIX,
  parseIpv4,
  parseIpv4Cidr,
  parseIpv6,
  parseIpv6Cidr,
} from './cidr';

/** A small deterministic PRNG so the property checks are repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Eight 16-bit groups, biased towards zero groups so that "::" runs of every length occur. */
function randomIpv6(next: () => number): bigint {
  let value = 0n;
  for (let i = 0; i < 8; i++) {
    const group = next() < 0.5 ? 0 : Math.floor(next() * 0x10000);
    value = (value << 16n) | BigInt(group);
  }
  return value;
}

/** An independent RFC 5952 formatter: the WHATWG URL parser serialises IPv6 hosts the same way. */
function whatwgIpv6(value: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) {
    groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16).padStart(4, '0'));
  }
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

describe('parseIpv4 / formatIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['172.22.2.13', 0xac16020d],
    ['10.0.0.1', 0x0a000001],
    ['255.255.255.255', 0xffffffff],
    ['128.0.0.0', 0x80000000],
  ])('parses %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.0',
    '1.2.3.256',
    '01.2.3.4',
    '1.2.3.04',
    '1..3.4',
    '1.2.3.',
    '-1.2.3.4',
    '1.2.3.4/24',
    ' 1.2.3.4',
    '1.2.3.4 ',
    'a.b.c.d',
    '0x1.2.3.4',
    '1e2.0.0.0',
    '1000.0.0.0',
    '::1',
  ])('rejects %j', (text) => {
    expect(() => parseIpv4(text)).toThrow(CidrError);
  });

  it('round-trips random addresses as unsigned 32-bit numbers', () => {
    const next = prng(4);
    for (let i = 0; i < 2000; i++) {
      const value = Math.floor(next() * 2 ** 32);
      const text = formatIpv4(value);
      expect(text).toMatch(/^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/);
      expect(parseIpv4(text)).toBe(value);
    }
  });
});

describe('parseIpv6', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['fd4e:6fb7:b3af::d', 0xfd4e6fb7b3af0000000000000000000dn],
    ['FD4E:6FB7:B3AF::D', 0xfd4e6fb7b3af0000000000000000000dn],
    ['2001:0db8:0000:0000:0000:0000:0002:0001', 0x20010db8000000000000000000020001n],
    ['2001:db8::2:1', 0x20010db8000000000000000000020001n],
    ['1:2:3:4:5:6:7:8', 0x00010002000300040005000600070008n],
    ['1:2:3:4:5:6:7::', 0x00010002000300040005000600070000n],
    ['::2:3:4:5:6:7:8', 0x00000002000300040005000600070008n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', (1n << 128n) - 1n],
  ])('parses %s', (text, value) => {
    expect(parseIpv6(text)).toBe(value);
  });

  it.each([
    '',
    ':',
    ':::',
    '1:::2',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '12345::',
    'g::',
    '1:',
    ':1',
    '1::2:',
    ':1::2',
    '1.2.3.4',
    '::ffff:1.2.3.4',
    'fd4e::/64',
    ' ::1',
    'fe80::1%eth0',
  ])('rejects %j', (text) => {
    expect(() => parseIpv6(text)).toThrow(CidrError);
  });
});

describe('formatIpv6 (RFC 5952)', () => {
  it.each([
    [0n, '::'],
    [1n, '::1'],
    [1n << 112n, '1::'],
    [0x20010db8000000000000000000020001n, '2001:db8::2:1'],
    // A single zero group is not compressed (RFC 5952 4.2.2).
    [0x20010db8000000010001000100010001n, '2001:db8:0:1:1:1:1:1'],
    // The longest run is compressed (4.2.3).
    [0x20010000000000010000000000000001n, '2001:0:0:1::1'],
    // Of two equal runs, the first is compressed (4.2.3).
    [0x20010db8000000000001000000000001n, '2001:db8::1:0:0:1'],
    // A later, longer run wins over an earlier, shorter one.
    [0x00000000000100000000000000000000n, '0:0:1::'],
    // Lower case, leading zeros dropped (4.1, 4.3).
    [0xfd4e6fb7b3af0000000000000000000dn, 'fd4e:6fb7:b3af::d'],
    [0x00ab00cd00ef00000000000000000abcn, 'ab:cd:ef::abc'],
    [(1n << 128n) - 1n, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    [0x00010002000300040005000600070000n, '1:2:3:4:5:6:7:0'],
  ])('formats %s as %s', (value, text) => {
    expect(formatIpv6(value)).toBe(text);
  });

  it('agrees with the WHATWG URL serialiser and round-trips on random addresses', () => {
    const next = prng(6);
    for (let i = 0; i < 2000; i++) {
      const value = randomIpv6(next);
      const text = formatIpv6(value);
      expect(text).toBe(whatwgIpv6(value));
      expect(parseIpv6(text)).toBe(value);
    }
  });
});

describe('parseIpv4Cidr', () => {
  it('parses a network range', () => {
    expect(parseIpv4Cidr('172.22.2.0/24')).toEqual({ base: 0xac160200, prefix: 24 });
    expect(parseIpv4Cidr('255.255.0.0/16')).toEqual({ base: 0xffff0000, prefix: 16 });
    expect(parseIpv4Cidr('10.0.0.252/30')).toEqual({ base: 0x0a0000fc, prefix: 30 });
  });

  it('allows /16 to /30 only', () => {
    expect(MIN_IPV4_PREFIX).toBe(16);
    expect(MAX_IPV4_PREFIX).toBe(30);
    expect(parseIpv4Cidr('10.0.0.0/16').prefix).toBe(16);
    expect(parseIpv4Cidr('10.0.0.0/30').prefix).toBe(30);
    for (const prefix of [0, 1, 8, 15, 31, 32, 33, 999]) {
      expect(() => parseIpv4Cidr(`10.0.0.0/${prefix}`), `/${prefix}`).toThrow(/between \/16 and \/30/);
    }
  });

  it('refuses host bits and names the network address', () => {
    expect(() => parseIpv4Cidr('172.22.2.1/24')).toThrow(CidrError);
    expect(() => parseIpv4Cidr('172.22.2.1/24')).toThrow(/host bits.*172\.22\.2\.0/);
    expect(() => parseIpv4Cidr('10.0.0.2/30')).toThrow(/10\.0\.0\.0/);
    expect(() => parseIpv4Cidr('10.1.1.0/16')).toThrow(/10\.1\.0\.0/);
    expect(() => parseIpv4Cidr('255.255.255.0/16')).toThrow(/255\.255\.0\.0/);
  });

  it.each([
    '172.22.2.0',
    '172.22.2.0/',
    '/24',
    '172.22.2.0/24/1',
    '172.22.2.0/x',
    '172.22.2/24',
    '172.22.2.0/2 4',
    'fd00::/64',
  ])('rejects %j', (text) => {
    expect(() => parseIpv4Cidr(text)).toThrow(CidrError);
  });
});

describe('parseIpv6Cidr', () => {
  it('parses a range', () => {
    expect(parseIpv6Cidr('fd4e:6fb7:b3af::/64')).toEqual({ base: 0xfd4e6fb7b3af00000000000000000000n, prefix: 64 });
    expect(parseIpv6Cidr('fd00::/120').prefix).toBe(120);
    expect(parseIpv6Cidr('8000::/1').prefix).toBe(1);
  });

  it('refuses host bits', () => {
    expect(() => parseIpv6Cidr('fd4e:6fb7:b3af::1/64')).toThrow(/host bits/);
    expect(() => parseIpv6Cidr('fd4e:6fb7:b3af:1::/48')).toThrow(CidrError);
    expect(() => parseIpv6Cidr('fd00::100/120')).not.toThrow();
    expect(() => parseIpv6Cidr('fd00::180/120')).toThrow(CidrError);
  });

  it('allows /1 to /120 by default', () => {
    expect(() => parseIpv6Cidr('::/0')).toThrow(/between \/1 and \/120/);
    expect(() => parseIpv6Cidr('fd00::/121')).toThrow(/between \/1 and \/120/);
    expect(() => parseIpv6Cidr('fd00::/128')).toThrow(CidrError);
  });

  it.each(['fd00::', 'fd00::/', 'fd00::/x', '10.0.0.0/8', 'fd00:::/64', 'zz::/64'])('rejects %j', (text) => {
    expect(() => parseIpv6Cidr(text)).toThrow(CidrError);
  });
});

describe('canonicalCidr', () => {
  it.each([
    ['10.1.2.0/24', '10.1.2.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['10.0.0.1/32', '10.0.0.1/32'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['::/0', '::/0'],
    ['FD4E:6FB7:B3AF:0000:0000:0000:0000:0000/64', 'fd4e:6fb7:b3af::/64'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001/128', '2001:db8::1/128'],
    ['2001:db8:0:0:1:0:0:0/80', '2001:db8:0:0:1::/80'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
  ])('canonicalises %s as %s', (text, canonical) => {
    expect(canonicalCidr(text)).toBe(canonical);
  });

  it.each(['10.0.0.1/24', '10.0.0.0/33', '::1/64', '::/129', 'nope', '10.0.0.0', '', 'fd00::/-1'])(
    'rejects %j',
    (text) => {
      expect(() => canonicalCidr(text)).toThrow(CidrError);
    },
  );

  it('formats parsed ranges back to the same text', () => {
    expect(formatIpv4Cidr(parseIpv4Cidr('172.22.2.0/24'))).toBe('172.22.2.0/24');
    expect(formatIpv6Cidr(parseIpv6Cidr('fd4e:6fb7:b3af:0::/64'))).toBe('fd4e:6fb7:b3af::/64');
  });
});

describe('host numbers', () => {
  const net24 = parseIpv4Cidr('172.22.2.0/24');
  const net30 = parseIpv4Cidr('10.0.0.252/30');
  const net16 = parseIpv4Cidr('10.1.0.0/16');

  it('sizes the range, network and broadcast included', () => {
    expect(ipv4Size(net24)).toBe(256);
    expect(ipv4Size(net30)).toBe(4);
    expect(ipv4Size(net16)).toBe(65536);
  });

  it('leases hosts 2 .. size-2: host 0 is the network, host 1 the hub, the last the broadcast', () => {
    expect(HUB_HOST).toBe(1);
    expect(firstLeasableHost()).toBe(2);
    expect(lastLeasableHost(net24)).toBe(254);
    expect(leasableCount(net24)).toBe(253);
    expect(lastLeasableHost(net30)).toBe(2);
    expect(leasableCount(net30)).toBe(1);
    expect(leasableCount(net16)).toBe(65533);
  });

  it('knows which host numbers are leasable', () => {
    expect(isLeasableHost(net24, 0)).toBe(false);
    expect(isLeasableHost(net24, 1)).toBe(false);
    expect(isLeasableHost(net24, 2)).toBe(true);
    expect(isLeasableHost(net24, 13)).toBe(true);
    expect(isLeasableHost(net24, 254)).toBe(true);
    expect(isLeasableHost(net24, 255)).toBe(false);
    expect(isLeasableHost(net24, 256)).toBe(false);
    expect(isLeasableHost(net24, -1)).toBe(false);
    expect(isLeasableHost(net24, 2.5)).toBe(false);
    expect(isLeasableHost(net24, Number.NaN)).toBe(false);
    expect(isLeasableHost(net30, 2)).toBe(true);
    expect(isLeasableHost(net30, 3)).toBe(false);
    expect(isLeasableHost(net16, 65534)).toBe(true);
    expect(isLeasableHost(net16, 65535)).toBe(false);
  });

  it('maps host numbers to IPv4 addresses', () => {
    expect(ipv4ForHost(net24, 0)).toBe('172.22.2.0');
    expect(ipv4ForHost(net24, HUB_HOST)).toBe('172.22.2.1');
    expect(ipv4ForHost(net24, 13)).toBe('172.22.2.13');
    expect(ipv4ForHost(net24, 255)).toBe('172.22.2.255');
    expect(ipv4ForHost(net16, 256)).toBe('10.1.1.0');
    expect(ipv4ForHost(net16, 65534)).toBe('10.1.255.254');
    expect(ipv4ForHost(parseIpv4Cidr('255.255.255.0/24'), 254)).toBe('255.255.255.254');
  });

  it('maps IPv4 addresses back to host numbers, null outside the range', () => {
    expect(hostOfIpv4(net24, '172.22.2.0')).toBe(0);
    expect(hostOfIpv4(net24, '172.22.2.13')).toBe(13);
    expect(hostOfIpv4(net24, '172.22.2.255')).toBe(255);
    expect(hostOfIpv4(net24, '172.22.3.0')).toBeNull();
    expect(hostOfIpv4(net24, '172.22.1.255')).toBeNull();
    expect(hostOfIpv4(net24, '10.0.0.1')).toBeNull();
    expect(hostOfIpv4(net16, '10.1.255.254')).toBe(65534);
    expect(() => hostOfIpv4(net24, '172.22.2.300')).toThrow(CidrError);
  });

  it('round-trips every host of a /24 and a /16', () => {
    for (const net of [net24, net16]) {
      for (let host = 0; host < ipv4Size(net); host++) {
        if (hostOfIpv4(net, ipv4ForHost(net, host)) !== host) {
          expect.fail(`host ${host} of ${formatIpv4Cidr(net)} does not round-trip`);
        }
      }
    }
  });
});

describe('ipv6ForHost (IPv6 = prefix + IPv4 host number)', () => {
  const v6 = parseIpv6Cidr('fd4e:6fb7:b3af::/64');
  const v4 = parseIpv4Cidr('172.22.2.0/24');

  it('follows the documented example: host 13 of 172.22.2.0/24 is fd4e:6fb7:b3af::d', () => {
    expect(ipv4ForHost(v4, 13)).toBe('172.22.2.13');
    expect(ipv6ForHost(v6, 13)).toBe('fd4e:6fb7:b3af::d');
  });

  it('gives the hub ::1 and maps larger host numbers into the low groups', () => {
    expect(ipv6ForHost(v6, HUB_HOST)).toBe('fd4e:6fb7:b3af::1');
    expect(ipv6ForHost(v6, 254)).toBe('fd4e:6fb7:b3af::fe');
    expect(ipv6ForHost(v6, 65534)).toBe('fd4e:6fb7:b3af::fffe');
    expect(ipv6ForHost(parseIpv6Cidr('fd00::/96'), 65537)).toBe('fd00::1:1');
    expect(ipv6ForHost(parseIpv6Cidr('fd00:1:2:3:4:5:6:0/112'), 2)).toBe('fd00:1:2:3:4:5:6:2');
  });

  it('uses the host number as the interface identifier for every host of a /24', () => {
    for (let host = 0; host < 256; host++) {
      const address = ipv6ForHost(v6, host);
      expect(parseIpv6(address) - v6.base).toBe(BigInt(host));
    }
  });
});

describe('assertIpv6HoldsIpv4Hosts', () => {
  it('accepts an IPv6 range with at least as many host bits', () => {
    expect(() =>
      assertIpv6HoldsIpv4Hosts(parseIpv4Cidr('172.22.2.0/24'), parseIpv6Cidr('fd4e:6fb7:b3af::/64')),
    ).not.toThrow();
    expect(() => assertIpv6HoldsIpv4Hosts(parseIpv4Cidr('172.22.2.0/24'), parseIpv6Cidr('fd00::/120'))).not.toThrow();
    expect(() => assertIpv6HoldsIpv4Hosts(parseIpv4Cidr('10.1.0.0/16'), parseIpv6Cidr('fd00::/112'))).not.toThrow();
  });

  it('refuses an IPv6 range too small for the IPv4 host numbers', () => {
    expect(() => assertIpv6HoldsIpv4Hosts(parseIpv4Cidr('10.1.0.0/16'), parseIpv6Cidr('fd00::/113'))).toThrow(
      CidrError,
    );
    expect(() => assertIpv6HoldsIpv4Hosts(parseIpv4Cidr('10.1.0.0/16'), parseIpv6Cidr('fd00::/120'))).toThrow(
      /\/120.*16 host bits/,
    );
    expect(() => assertIpv6HoldsIpv4Hosts(parseIpv4Cidr('172.22.2.0/24'), { base: 0n, prefix: 121 })).toThrow(
      CidrError,
    );
  });
});

describe("the published CIDR patterns (OpenAPI) are the parsers' spelling check", () => {
  const parses = (parse: () => unknown) => {
    try {
      parse();
      return true;
    } catch {
      return false;
    }
  };
  it('a range the parser takes matches its pattern; a spelling the pattern refuses the parser refuses', () => {
    const v6 = ['::/0', '::1/128', 'fd4e:6fb7:b3af::/64', '1:2:3:4:5:6:7:8/128', '1::/16', '::2:3:4:5:6:7:8/128'];
    const v6bad = [
      '1:2:3:4:5:6:7:8:9/64',
      '1::2::3/64',
      ':::/64',
      '1:2:3:4:5:6:7/64',
      '12345::/64',
      '::ffff:1.2.3.4/96',
    ];
    for (const text of v6) {
      expect([text, parses(() => parseIpv6Cidr(text, 0, 128)), IPV6_CIDR_PATTERN.test(text)]).toEqual([
        text,
        true,
        true,
      ]);
    }
    for (const text of v6bad) {
      expect([text, parses(() => parseIpv6Cidr(text, 0, 128)), IPV6_CIDR_PATTERN.test(text)]).toEqual([
        text,
        false,
        false,
      ]);
    }
    for (const text of ['10.0.0.0/24', '0.0.0.0/0', '255.255.255.252/30']) {
      expect([text, parses(() => parseIpv4Cidr(text, 0, 32)), IPV4_CIDR_PATTERN.test(text)]).toEqual([
        text,
        true,
        true,
      ]);
    }
    for (const text of ['256.0.0.0/24', '01.0.0.0/24', '10.0.0/24', '10.0.0.0', '10.0.0.0/1234']) {
      expect([text, parses(() => parseIpv4Cidr(text, 0, 32)), IPV4_CIDR_PATTERN.test(text)]).toEqual([
        text,
        false,
        false,
      ]);
    }
  });
});
