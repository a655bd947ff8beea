import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { DomainError } from '../../domain/problems/problems';

export function rateLimited(retryAfter: number, limit: string): DomainError {
  const seconds = Math.max(1, Math.ceil(retryAfter));
  return new DomainError('rate-limited', `Try again in ${seconds} s.`, {
    retryAfter: seconds,
    limit,
  });
}

/** A credential or claim token as a counter key: never the secret, a hash of it. */
export function subjectHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 32);
}

/**
 * The subject of per-address limits: IPv4 as it is (IPv4-mapped IPv6 unwrapped), IPv6 by its
 * /64, because one host usually holds a whole /64 and could otherwise rotate through it.
 */
export function addressSubject(ip: string | undefined): string {
  if (ip === undefined || ip === '') {
    return 'unknown';
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) {
    return mapped[1];
  }
  if (!isIPv6(ip)) {
    return ip;
  }
  const [head, tail = ''] = ip.split('%')[0].split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
