import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import {
  AggregateNetworkSpecError,
  normalizeNetworkSpec,
  type NetworkSpec,
  type NetworkSpecInput,
} from '../domain/network/network-spec';
import { schema, type TrustProxy } from './env-schema';

/*
 * The one place that reads process.env (the variables and their checks are in env-schema.ts).
 * All bad variables are reported together at boot. Secrets may come from a file: X_FILE=/path.
 */

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

/** Every abuse limit at its default (for the specs that prove the defaults). */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(NO_RATE_LIMITS).map((name) => [
    name,
    String((schema.shape as Record<string, z.ZodType>)[name].parse(undefined)),
  ]),
);

export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  /** Service processes that `serve` runs on the one port (WEB_CONCURRENCY; auto/0 resolved to the cores). */
  readonly webConcurrency: number;
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
    /** Sign-in requests (/auth/login, /auth/callback, /auth/device, /auth/device/token) per client address. */
    readonly signInPerAddress: number;
  };
  /** Whether and whom to trust for X-Forwarded-For (Express "trust proxy"). */
  readonly trustProxy: TrustProxy;
  /** Origins allowed by CORS; empty: no CORS headers. */
  readonly corsOrigins: readonly string[] | '*';
  /** Bearer token GET /metrics requires; undefined: open. */
  readonly metricsToken: string | undefined;
  readonly defaultNetwork: NetworkSpec;
  /**
   * The variables of the default network the environment sets (by field): only those are
   * compared with a stored network at start (a default is no statement of the user's).
   */
  readonly defaultNetworkVariables: Readonly<Partial<Record<keyof NetworkSpec, string>>>;
  /** OpenID Connect sign-in; null without OIDC_ISSUER. */
  readonly oidc: OidcConfig | null;
  /** A session ends after this long without a request, and after sessionMaxMs in any case. */
  readonly sessionIdleMs: number;
  readonly sessionMaxMs: number;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  /** Undefined: a public client (PKCE only). */
  readonly clientSecret: string | undefined;
  readonly scopes: string;
  readonly groupsClaim: string;
  readonly adminGroups: readonly string[];
  /** Empty: every signed-in person may use self-service. */
  readonly allowedGroups: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const SECRET_VARIABLES = ['ADMIN_TOKEN', 'SECRET_KEY', 'DATABASE_URL', 'METRICS_TOKEN', 'OIDC_CLIENT_SECRET'] as const;

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
  if (parsed.success) {
    problems.push(...oidcProblems(parsed.data));
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
    webConcurrency: e.WEB_CONCURRENCY === 0 ? availableParallelism() : e.WEB_CONCURRENCY,
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
      signInPerAddress: e.RATE_LIMIT_SIGN_IN_PER_ADDRESS,
    }),
    trustProxy: e.TRUST_PROXY,
    corsOrigins: e.CORS_ORIGINS,
    metricsToken: e.METRICS_TOKEN,
    defaultNetwork: network,
    defaultNetworkVariables: Object.freeze(
      Object.fromEntries(Object.entries(ENV_OF_FIELD).filter(([, variable]) => env[variable] !== undefined)) as Partial<
        Record<keyof NetworkSpec, string>
      >,
    ),
    oidc:
      e.OIDC_ISSUER === undefined
        ? null
        : Object.freeze({
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID!,
            clientSecret: e.OIDC_CLIENT_SECRET,
            scopes: e.OIDC_SCOPES.trim(),
            groupsClaim: e.OIDC_GROUPS_CLAIM.trim(),
            adminGroups: Object.freeze(list(e.OIDC_ADMIN_GROUPS)),
            allowedGroups: Object.freeze(list(e.OIDC_ALLOWED_GROUPS)),
          }),
    sessionIdleMs: e.SESSION_IDLE_TIMEOUT,
    sessionMaxMs: Math.max(e.SESSION_MAX_AGE, e.SESSION_IDLE_TIMEOUT),
  });
}

/** The OIDC variables that only make sense together. */
function oidcProblems(e: z.infer<typeof schema>): string[] {
  const problems: string[] = [];
  const oidcSet = Object.entries(e).some(
    ([key, value]) => /^OIDC_(CLIENT_ID|CLIENT_SECRET|ADMIN_GROUPS|ALLOWED_GROUPS)$/.test(key) && value !== undefined,
  );
  if (e.OIDC_ISSUER === undefined) {
    if (oidcSet) {
      problems.push('OIDC_ISSUER: set it too (the other OIDC_ variables do nothing without it)');
    }
    return problems;
  }
  if (e.OIDC_CLIENT_ID === undefined) {
    problems.push('OIDC_CLIENT_ID: required with OIDC_ISSUER (the client id registered at the provider)');
  }
  if (!e.OIDC_SCOPES.split(/\s+/).includes('openid')) {
    problems.push('OIDC_SCOPES: must include openid');
  }
  return problems;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
