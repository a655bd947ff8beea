import { describe, expect, it } from 'vitest';
import { normalizeNetworkSpec } from '../domain/network/network-spec';
import { envDrift } from './env-drift';

const stored = normalizeNetworkSpec({ name: 'default', ipv4Cidr: '172.22.2.0/24', endpoint: '127.0.0.1:51820' });

describe('envDrift', () => {
  it('says nothing when the environment agrees or sets nothing', () => {
    expect(envDrift(stored, stored, { endpoint: 'WG_ENDPOINT', ipv4Cidr: 'WG_IPV4_CIDR' }, 'http://h')).toEqual([]);
    const other = normalizeNetworkSpec({ name: 'default', ipv4Cidr: '10.9.0.0/24', endpoint: 'vpn.example.org:1' });
    expect(envDrift(stored, other, {}, 'http://h')).toEqual([]);
  });

  it('names each differing variable once, with stored and environment values and how to change it', () => {
    const env = normalizeNetworkSpec({
      name: 'default',
      ipv4Cidr: '10.9.0.0/24',
      endpoint: 'vpn.example.org:51820',
      dns: ['10.9.0.1'],
      mtu: 1380,
      persistentKeepalive: 30,
    });
    const lines = envDrift(
      stored,
      env,
      {
        endpoint: 'WG_ENDPOINT',
        ipv4Cidr: 'WG_IPV4_CIDR',
        dns: 'WG_DNS',
        mtu: 'WG_MTU',
        persistentKeepalive: 'WG_PERSISTENT_KEEPALIVE',
      },
      'http://h',
    );
    expect(lines).toHaveLength(4);
    const [endpoint, ipv4, dns, mtu] = lines;
    expect(endpoint).toMatch(/^WG_ENDPOINT \(vpn\.example\.org:51820\) differs .*\(endpoint 127\.0\.0\.1:51820\)/);
    expect(endpoint).toContain(`-d '{"endpoint":"vpn.example.org:51820"}' http://h/v1/networks/default`);
    expect(dns).toContain(`'{"dns":["10.9.0.1"]}'`);
    expect(dns).toContain('(dns (none))');
    expect(mtu).toContain(`'{"mtu":1380}'`);
    expect(ipv4).toMatch(/^WG_IPV4_CIDR \(10\.9\.0\.0\/24\) .*Address ranges cannot be changed/);
    expect(ipv4).not.toContain('PATCH');
  });
});
