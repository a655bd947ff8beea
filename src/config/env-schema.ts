import { isIP } from 'node:net';
import { z } from 'zod';
import { INTERFACE_NAME_PATTERN, INTERFACE_NAME_RULE } from '../domain/wg/interface-name';

/**
 * The environment variables the service reads and how each is checked (every one documented in
 * .env.example). Pure: env.ts reads process.env and the *_FILE secrets and builds AppConfig.
 */

const DURATION = /^(\d+)(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2] ?? 's'] : null;
}

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout/setInterval's limit (about 24.8 days)

const duration = (fallback: string, min: number, max: number) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === null || ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `a duration such as 30s, 10m, 1h or 7d, from ${min} ms to ${max} ms` });
        return z.NEVER;
      }
      return ms;
    });

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const n = Number(value.trim());
      if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const optionalInt = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') {
        return undefined;
      }
      const n = Number(value);
      if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/**
 * TRUST_PROXY: off (default; X-Forwarded-For is ignored), a hop count (trust that many proxies
 * in front), or a comma-separated list of proxy addresses/CIDRs (and the names loopback,
 * linklocal, uniquelocal). "true" (trust any sender) is refused: anyone could then pick the
 * address they are limited by.
 */
export type TrustProxy = false | number | string[];
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(item: string): boolean {
  if (PROXY_NAMES.has(item)) {
    return true;
  }
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return false;
  }
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx): TrustProxy => {
    const text = (value ?? '').trim();
    if (text === '' || text === 'false' || text === 'off' || text === '0') {
      return false;
    }
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      if (hops <= 32) {
        return hops;
      }
    }
    const items = text
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (items.length > 0 && items.every(isAddressOrCidr)) {
      return items;
    }
    ctx.addIssue({
      code: 'custom',
      message:
        'off, a hop count (1 to 32), or a comma-separated list of addresses/CIDRs (or loopback, linklocal, uniquelocal)',
    });
    return z.NEVER;
  });

/** CORS_ORIGINS: empty (default) sends no CORS headers at all; else exact origins, or "*". */
const corsOrigins = z
  .string()
  .optional()
  .transform((value, ctx): string[] | '*' => {
    const items = (value ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (items.length === 1 && items[0] === '*') {
      return '*';
    }
    for (const item of items) {
      let ok = false;
      try {
        const url = new URL(item);
        ok = /^https?:$/.test(url.protocol) && url.origin === item;
      } catch {
        ok = false;
      }
      if (!ok) {
        ctx.addIssue({
          code: 'custom',
          message: 'a comma-separated list of origins such as https://admin.example.org (no path), or *',
        });
        return z.NEVER;
      }
    }
    return items;
  });

export const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(3000, 0, 65535),
  PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  DATA_DIR: z.string().default('./.data'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
      .optional(),
  ),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  // Service processes on the one port (node:cluster): a number, or 0 / auto for one per core.
  WEB_CONCURRENCY: z
    .string()
    .default('1')
    .transform((value, ctx) => {
      const text = value.trim().toLowerCase();
      if (text === 'auto') {
        return 0;
      }
      const n = Number(text);
      if (!/^\d+$/.test(text) || n > 64) {
        ctx.addIssue({ code: 'custom', message: 'a whole number from 0 to 64, or auto (0 and auto: one per core)' });
        return z.NEVER;
      }
      return n;
    }),
  ADMIN_TOKEN: optionalText.pipe(z.string().min(20, 'at least 20 characters').optional()),
  SECRET_KEY: optionalText.pipe(
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, '32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
  ),
  HUB_LOCAL: z.enum(['true', 'false']).optional(),
  WG_HUB_INTERFACE: z
    .string()
    .default('wg0')
    .pipe(z.string().regex(INTERFACE_NAME_PATTERN, `an interface name: ${INTERFACE_NAME_RULE}`)),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  LEASE_COOLDOWN: duration('1h', 0, 365 * 86_400_000),
  CLAIM_TTL: duration('24h', 1000, 365 * 86_400_000),
  SWEEP_INTERVAL: duration('10s', 100, MAX_TIMER_MS),
  HUB_APPLY_WAIT: duration('2s', 0, 60_000),
  RATE_LIMIT_PER_MINUTE: int(3000, 0, 1_000_000),
  AUTH_FAILURES_PER_MINUTE: int(20, 0, 1_000_000),
  AUTH_FAILURES_PER_CREDENTIAL: int(10, 0, 1_000_000),
  RATE_LIMIT_ENROLL_PER_ADDRESS: int(1200, 0, 1_000_000),
  RATE_LIMIT_ENROLL_PER_CREDENTIAL: int(1200, 0, 1_000_000),
  RATE_LIMIT_CLAIM_PER_ADDRESS: int(600, 0, 1_000_000),
  RATE_LIMIT_CLAIM_PER_TOKEN: int(5, 0, 1_000_000),
  RATE_LIMIT_SIGN_IN_PER_ADDRESS: int(120, 0, 1_000_000),
  TRUST_PROXY: trustProxy,
  CORS_ORIGINS: corsOrigins,
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'at least 16 characters').optional()),
  BODY_LIMIT: z
    .string()
    .default('64kb')
    .refine((v) => /^\d+(b|kb|mb)$/.test(v), 'a size such as 64kb'),
  WG_PERSISTENT_KEEPALIVE: int(30, 0, 65535),
  WG_LISTEN_PORT: optionalInt(1, 65535),
  WG_MTU: optionalInt(1280, 9000),
  // Sign-in through OpenID Connect (all off without OIDC_ISSUER).
  OIDC_ISSUER: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_SCOPES: z.string().default('openid email profile'),
  OIDC_GROUPS_CLAIM: z.string().default('groups'),
  OIDC_ADMIN_GROUPS: optionalText,
  OIDC_ALLOWED_GROUPS: optionalText,
  SESSION_IDLE_TIMEOUT: duration('2h', 60_000, 365 * 86_400_000),
  SESSION_MAX_AGE: duration('12h', 60_000, 365 * 86_400_000),
});
