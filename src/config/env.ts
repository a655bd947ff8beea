import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  AggregateNetworkSpecError,
  normalizeNetworkSpec,
  type NetworkSpec,
  type NetworkSpecInput,
} from '../domain/network/network-spec';

/**
 * The one place that reads process.env. Every variable is documented in .env.example; all bad
 * variables are reported together at boot. Secrets may come from a file: X_FILE=/path.
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

const schema = z.object({
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
    .pipe(z.string().regex(/^[a-zA-Z0-9_=+.-]{1,15}$/, 'an interface name: 1 to 15 of a-z A-Z 0-9 _ = + . -')),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  LEASE_COOLDOWN: duration('1h', 0, 365 * 86_400_000),
  CLAIM_TTL: duration('24h', 1000, 365 * 86_400_000),
  SWEEP_INTERVAL: duration('10s', 100, MAX_TIMER_MS),
  HUB_APPLY_WAIT: duration('2s', 0, 60_000),
  RATE_LIMIT_PER_MINUTE: int(600, 0, 1_000_000),
  AUTH_FAILURES_PER_MINUTE: int(20, 0, 1_000_000),
  AUTH_FAILURES_PER_CREDENTIAL: int(10, 0, 1_000_000),
  RATE_LIMIT_ENROLL_PER_ADDRESS: int(60, 0, 1_000_000),
  RATE_LIMIT_ENROLL_PER_CREDENTIAL: int(60, 0, 1_000_000),
  RATE_LIMIT_CLAIM_PER_ADDRESS: int(30, 0, 1_000_000),
  RATE_LIMIT_CLAIM_PER_TOKEN: int(5, 0, 1_000_000),
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
});

const ENV_OF_FIELD: Record<keyof NetworkSpecInput, string> = {
  name: 'WG_DEFAULT_NETWORK',
  ipv4Cidr: 'WG_IPV4_CIDR',
  ipv6Cidr: 'WG_IPV6_CIDR',
  endpoint: 'WG_ENDPOINT',
  listenPort: 'WG_LISTEN_PORT',
  persistentKeepalive: 'WG_PERSISTENT_KEEPALIVE',
  dns: 'WG_DNS',
  mtu: 'WG_MTU',
  allowedIps: 'WG_ALLOWED_IPS',
};

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * The default network as the environment states it. Checked on the raw strings, so that a bad
 * CIDR is reported together with every other bad variable; numbers are checked by the schema.
 */
function defaultNetworkInput(
  env: Record<string, string | undefined>,
  numbers?: { listenPort?: number; keepalive: number; mtu?: number },
): NetworkSpecInput {
  return {
    name: env.WG_DEFAULT_NETWORK ?? 'default',
    ipv4Cidr: env.WG_IPV4_CIDR ?? '172.22.2.0/24',
    ipv6Cidr: env.WG_IPV6_CIDR ?? 'fd4e:6fb7:b3af::/64',
    endpoint: env.WG_ENDPOINT ?? '127.0.0.1:51820',
    listenPort: numbers?.listenPort ?? null,
    persistentKeepalive: numbers?.keepalive ?? null,
    dns: list(env.WG_DNS),
    mtu: numbers?.mtu ?? null,
    allowedIps: list(env.WG_ALLOWED_IPS),
  };
}

function networkProblems(env: Record<string, string | undefined>): string[] {
  try {
    normalizeNetworkSpec(defaultNetworkInput(env));
    return [];
  } catch (error) {
    if (!(error instanceof AggregateNetworkSpecError)) {
      throw error;
    }
    return error.errors.map((e) => `${ENV_OF_FIELD[e.field]}: ${e.message}`);
  }
}

/** Every variable the service reads (the test of .env.example checks each is documented). */
export const ENV_VARIABLES: readonly string[] = [...Object.keys(schema.shape), ...Object.values(ENV_OF_FIELD)];

/**
 * Every abuse limit set to 0 (off), for trusted bulk clients: the test suite's apps and
 * processes and the benchmarks. Derived from the schema, so a new limit is switched off too.
 */
export const NO_RATE_LIMITS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(schema.shape)
    .filter((name) => /^(RATE_LIMIT_|AUTH_FAILURES_)/.test(name))
    .map((name) => [name, '0']),
);

export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly adminToken: string | undefined;
  readonly secretKey: Buffer | undefined;
  /** Keep the hub's key pair under DATA_DIR/hub (the embedded default: no DATABASE_URL). */
  readonly localHub: boolean;
  /** The local hub's interface: DATA_DIR/hub/<interface>.conf and .key. */
  readonly hubInterface: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly leaseCooldownMs: number;
  readonly claimTtlMs: number;
  readonly sweepIntervalMs: number;
  /** How long a config answer waits for the hub agent to apply its peer (0: no wait). */
  readonly hubApplyWaitMs: number;
  readonly bodyLimit: string;
  /** Requests per client address per minute on /v1 (0: off). */
  readonly rateLimitPerMinute: number;
  /** Failed authentications per client address per minute before 429 (0: off). */
  readonly authFailuresPerMinute: number;
  /** Abuse limits per minute, shared by all replicas through Postgres (0: off). */
  readonly limits: {
    readonly authFailuresPerCredential: number;
    readonly enrollPerAddress: number;
    readonly enrollPerCredential: number;
    readonly claimPerAddress: number;
    readonly claimPerToken: number;
  };
  /** Whether and whom to trust for X-Forwarded-For (Express "trust proxy"). */
  readonly trustProxy: TrustProxy;
  /** Origins allowed by CORS; empty: no CORS headers. */
  readonly corsOrigins: readonly string[] | '*';
  /** Bearer token GET /metrics requires; undefined: open. */
  readonly metricsToken: string | undefined;
  readonly defaultNetwork: NetworkSpec;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const SECRET_VARIABLES = ['ADMIN_TOKEN', 'SECRET_KEY', 'DATABASE_URL', 'METRICS_TOKEN'] as const;

/** Reads X from X_FILE where given (Docker and Kubernetes secrets). */
function withFileSecrets(source: NodeJS.ProcessEnv, problems: string[]): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...source };
  for (const key of SECRET_VARIABLES) {
    const file = source[`${key}_FILE`];
    if (file === undefined || file === '') {
      continue;
    }
    if (source[key] !== undefined && source[key] !== '') {
      problems.push(`${key} and ${key}_FILE: set one, not both`);
      continue;
    }
    try {
      env[key] = readFileSync(file, 'utf8').trim();
    } catch {
      problems.push(`${key}_FILE: cannot read ${file}`);
    }
  }
  return env;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const env = withFileSecrets(source, problems);
  // Empty strings count as unset, as in most .env tooling.
  for (const key of Object.keys(env)) {
    if (env[key] === '' && key !== 'WG_IPV6_CIDR') {
      env[key] = undefined;
    }
  }
  const parsed = schema.safeParse(env);
  problems.push(...networkProblems(env));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // The value is never echoed: it may be a secret.
      problems.push(`${issue.path.join('.')}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const network = normalizeNetworkSpec(
    defaultNetworkInput(env, { listenPort: e.WG_LISTEN_PORT, keepalive: e.WG_PERSISTENT_KEEPALIVE, mtu: e.WG_MTU }),
  );
  const host = e.HOST;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    host,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://${urlHost}:${e.PORT}`).replace(/\/+$/, ''),
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    adminToken: e.ADMIN_TOKEN,
    secretKey: e.SECRET_KEY === undefined ? undefined : Buffer.from(e.SECRET_KEY, 'base64'),
    localHub: e.HUB_LOCAL === undefined ? e.DATABASE_URL === undefined : e.HUB_LOCAL === 'true',
    hubInterface: e.WG_HUB_INTERFACE,
    logLevel: e.LOG_LEVEL,
    leaseCooldownMs: e.LEASE_COOLDOWN,
    claimTtlMs: e.CLAIM_TTL,
    sweepIntervalMs: e.SWEEP_INTERVAL,
    hubApplyWaitMs: e.HUB_APPLY_WAIT,
    bodyLimit: e.BODY_LIMIT,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    limits: Object.freeze({
      authFailuresPerCredential: e.AUTH_FAILURES_PER_CREDENTIAL,
      enrollPerAddress: e.RATE_LIMIT_ENROLL_PER_ADDRESS,
      enrollPerCredential: e.RATE_LIMIT_ENROLL_PER_CREDENTIAL,
      claimPerAddress: e.RATE_LIMIT_CLAIM_PER_ADDRESS,
      claimPerToken: e.RATE_LIMIT_CLAIM_PER_TOKEN,
    }),
    trustProxy: e.TRUST_PROXY,
    corsOrigins: e.CORS_ORIGINS,
    metricsToken: e.METRICS_TOKEN,
    defaultNetwork: network,
  });
}

export const APP_CONFIG = Symbol('APP_CONFIG');
