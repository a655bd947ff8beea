import { describe, expect, it } from 'vitest';
import { addressSubject, subjectHash } from './rate-limits';
import { bucketsFor } from './request-context';

const config = {
  rateLimitPerMinute: 600,
  authFailuresPerMinute: 20,
  limits: {
    authFailuresPerCredential: 10,
    enrollPerAddress: 60,
    enrollPerCredential: 60,
    claimPerAddress: 30,
    claimPerToken: 5,
    signInPerAddress: 120,
  },
};

describe('addressSubject', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6, and groups IPv6 by /64', () => {
    expect(addressSubject('203.0.113.7')).toBe('203.0.113.7');
    expect(addressSubject('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressSubject('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressSubject('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressSubject('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressSubject('::1')).toBe('0:0:0:0::/64');
    expect(addressSubject('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressSubject(undefined)).toBe('unknown');
  });
});

describe('bucketsFor', () => {
  const req = (method: string, path: string, authorization?: string) => ({
    method,
    path,
    ip: '198.51.100.4',
    headers: authorization ? { authorization } : {},
  });

  it('enrollment counts per address and per credential (hashed); auth failures are not judged before the lookup', () => {
    const secret = 'wgk_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const { hit } = bucketsFor(req('POST', '/v1/networks/default/peers', `Bearer ${secret}`), config);
    expect(hit.map((b) => b.key)).toEqual([
      'api:a:198.51.100.4',
      'enroll:a:198.51.100.4',
      `enroll:c:${subjectHash(secret)}`,
    ]);
    expect(hit.map((b) => b.name)).not.toContain('auth-failures-per-address');
    expect(JSON.stringify({ hit })).not.toContain(secret);
  });

  it('reissue counts as enrollment; a claim counts per address and per token, not auth failures', () => {
    expect(bucketsFor(req('POST', '/v1/peers/x/reissue', 'Bearer t'), config).hit.map((b) => b.name)).toContain(
      'enroll-per-address',
    );
    const claim = bucketsFor(req('POST', '/v1/claims/wgc_token'), config);
    expect(claim.hit.map((b) => b.key)).toEqual([
      'api:a:198.51.100.4',
      'claim:a:198.51.100.4',
      `claim:t:${subjectHash('wgc_token')}`,
    ]);
    expect(bucketsFor(req('GET', '/claim/wgc_token'), config).hit.map((b) => b.name)).toEqual(['claim-per-address']);
  });

  it('the public sign-in routes count per address; the session routes do not', () => {
    for (const [method, path] of [
      ['GET', '/auth/login'],
      ['GET', '/auth/callback'],
      ['POST', '/auth/device'],
      ['POST', '/auth/device/token'],
    ]) {
      expect(bucketsFor(req(method, path), config).hit).toEqual([
        { key: 'signin:a:198.51.100.4', limit: 120, name: 'sign-in-per-address' },
      ]);
    }
    expect(bucketsFor(req('GET', '/auth/session'), config)).toEqual({ hit: [] });
  });

  it('leaves non-API paths alone', () => {
    expect(bucketsFor(req('GET', '/healthz'), config)).toEqual({ hit: [] });
    expect(bucketsFor(req('GET', '/metrics'), config)).toEqual({ hit: [] });
  });
});
