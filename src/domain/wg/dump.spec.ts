import { describe, expect, it } from 'vitest';
import { parseWgDump, parseWgEndpoints } from './dump';

describe('parseWgDump', () => {
  it('parses the interface line and peers as wg show <if> dump prints them', () => {
    const text = [
      'cHJpdmF0ZQ==\tUFVCTElD\t51820\toff',
      'QUFBQQ==\t(none)\t10.213.1.10:51820\t172.22.2.2/32,fd4e::2/128\t1764150000\t1200\t3400\t25',
      'QkJCQg==\tcHNr\t(none)\t(none)\t0\t0\t0\toff',
      '',
    ].join('\n');
    expect(parseWgDump(text)).toEqual({
      interface: { publicKey: 'UFVCTElD', listenPort: 51820 },
      peers: [
        {
          publicKey: 'QUFBQQ==',
          presharedKey: null,
          endpoint: '10.213.1.10:51820',
          allowedIps: ['172.22.2.2/32', 'fd4e::2/128'],
          latestHandshake: 1764150000,
          rxBytes: 1200,
          txBytes: 3400,
        },
        {
          publicKey: 'QkJCQg==',
          presharedKey: 'cHNr',
          endpoint: null,
          allowedIps: [],
          latestHandshake: 0,
          rxBytes: 0,
          txBytes: 0,
        },
      ],
    });
  });

  it('refuses what is not a dump', () => {
    expect(() => parseWgDump('')).toThrow();
    expect(() => parseWgDump('a\tb')).toThrow();
    expect(() => parseWgDump('a\tb\t1\toff\nshort\tline')).toThrow();
  });
});

describe('parseWgEndpoints', () => {
  it('reads wg show <if> endpoints, leaving out peers without one', () => {
    const text = 'QUFBQQ==\t10.213.1.10:51820\nQkJCQg==\t(none)\nQ0NDQw==\t[fd00::1]:4000\n';
    expect(parseWgEndpoints(text)).toEqual(
      new Map([
        ['QUFBQQ==', '10.213.1.10:51820'],
        ['Q0NDQw==', '[fd00::1]:4000'],
      ]),
    );
    expect(parseWgEndpoints('')).toEqual(new Map());
  });
});
