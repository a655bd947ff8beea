import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  formatIpv4,
  formatIpv6,
  ipv4ForHost,
  ipv6ForHost,
  parseIpv4Cidr,
  parseIpv6Cidr,
} from '../../src/domain/ipam/cidr';
import { ipv6TextSql } from '../../src/enrollment/enrollment.repository';

// The enrollment's one statement computes a peer's addresses in Postgres (inet + host number);
// they must be the very strings peerAddresses writes everywhere else (configs, hub files, views).
describe('addresses of the enrollment statement', () => {
  let sql: Client;
  beforeAll(async () => {
    sql = new Client({ connectionString: inject('postgresUrl') });
    await sql.connect();
  });
  afterAll(() => sql?.end());

  const V6 = [
    'fd10:141::/64',
    'fd00::/112',
    '::/64',
    '::ffff:0:0/96',
    '2001:db8:0:0:1::/80',
    'fd00:0:0:1::/64',
    'fe80:0:0:0:0:ffff::/96',
    '2001:db8:aaaa:bbbb:cccc:dddd::/96',
    'ffff:ffff:ffff:ffff::/64',
  ];
  const HOSTS = [0, 1, 2, 255, 256, 4095, 65_535, 65_536, 0xffff_ff, 0x7fff_ffff, 0xffff_fffe];

  it('IPv6: the same text as formatIpv6 for every base and host number', async () => {
    const pairs = V6.flatMap((cidr) => HOSTS.map((host) => ({ cidr, host })));
    const { rows } = await sql.query<{ text: string }>(
      `SELECT ${ipv6TextSql('(b::inet + h)')} AS text FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS t(b, h, i) ORDER BY i`,
      [pairs.map((p) => formatIpv6(parseIpv6Cidr(p.cidr, 1, 128).base)), pairs.map((p) => p.host)],
    );
    expect(rows.map((r) => r.text)).toEqual(pairs.map((p) => ipv6ForHost(parseIpv6Cidr(p.cidr, 1, 128), p.host)));
    // The special case is taken: Postgres alone would write a dotted tail here.
    expect(rows.map((r) => r.text)).toContain('::ffff:0:1');
  });

  it('IPv4: host(base + n) is ipv4ForHost', async () => {
    const cidrs = ['10.141.0.0/16', '192.168.7.8/29', '10.0.0.0/16', '100.64.0.0/16'];
    const pairs = cidrs.flatMap((cidr) => [0, 1, 7, 255, 256, 65_533].map((host) => ({ cidr, host })));
    const { rows } = await sql.query<{ text: string }>(
      'SELECT host(b::inet + h) AS text FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS t(b, h, i) ORDER BY i',
      [pairs.map((p) => formatIpv4(parseIpv4Cidr(p.cidr).base)), pairs.map((p) => p.host)],
    );
    expect(rows.map((r) => r.text)).toEqual(pairs.map((p) => ipv4ForHost(parseIpv4Cidr(p.cidr), p.host)));
  });
});
