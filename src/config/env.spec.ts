import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, NO_RATE_LIMITS } from './env';
import { parseDuration } from './env-schema';

const tmp = mkdtempSync(join(tmpdir(), 'wg-enroll-env-spec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tempFile(name: string, content: string): string {
  const path = join(tmp, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** The ConfigError loadConfig throws for this environment. */
function configError(source: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.fail(`loadConfig accepted ${JSON.stringify(source)}`);
}

/** The variable names the problems are about ("PORT: a whole number ..." -> "PORT"). */
function problemNames(error: ConfigError): string[] {
  return error.problems.map((p) => p.slice(0, p.indexOf(':')));
}

/** Everything about an error that could reach a log line. */
function allTextOf(error: ConfigError): string {
  return [error.message, String(error), error.stack ?? '', JSON.stringify(error), ...error.problems].join('\n');
}

const VALID_SECRET_KEY = Buffer.from(
  '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  'hex',
).toString('base64');

describe('loadConfig defaults', () => {
  it('has a working default for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 3000,
      publicUrl: 'http://127.0.0.1:3000',
      dataDir: resolve('./.data'),
      databaseUrl: undefined,
      databasePoolSize: 10,
      webConcurrency: 1,
      adminToken: undefined,
      secretKey: undefined,
      localHub: true,
      logLevel: 'info',
      leaseCooldownMs: 3_600_000,
      claimTtlMs: 86_400_000,
      sweepIntervalMs: 10_000,
      bodyLimit: '64kb',
      rateLimitPerMinute: 3000,
      authFailuresPerMinute: 20,
      defaultNetwork: {
        name: 'default',
        ipv4Cidr: '172.22.2.0/24',
        ipv6Cidr: 'fd4e:6fb7:b3af::/64',
        endpoint: '127.0.0.1:51820',
        listenPort: 51820,
        persistentKeepalive: 30,
        dns: [],
        mtu: null,
        allowedIps: ['172.22.2.0/24', 'fd4e:6fb7:b3af::/64'],
      },
    });
    // toMatchObject ignores missing keys: the ones that default to undefined must be there.
    expect(Object.keys(config)).toEqual(expect.arrayContaining(['databaseUrl', 'adminToken', 'secretKey']));
    expect(config.defaultNetwork.dns).toEqual([]);
    expect(config.defaultNetwork.allowedIps).toEqual(['172.22.2.0/24', 'fd4e:6fb7:b3af::/64']);
  });

  it('resolves DATA_DIR to an absolute path', () => {
    const config = loadConfig({});
    expect(isAbsolute(config.dataDir)).toBe(true);
    expect(config.dataDir).toBe(join(process.cwd(), '.data'));
    expect(loadConfig({ DATA_DIR: 'var/wg' }).dataDir).toBe(join(process.cwd(), 'var', 'wg'));
    expect(loadConfig({ DATA_DIR: '/srv/wg-enroll' }).dataDir).toBe('/srv/wg-enroll');
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({
      PORT: '',
      HOST: '',
      LEASE_COOLDOWN: '',
      ADMIN_TOKEN: '',
      SECRET_KEY: '',
      WG_ENDPOINT: '',
      WG_MTU: '',
    });
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.leaseCooldownMs).toBe(3_600_000);
    expect(config.adminToken).toBeUndefined();
    expect(config.secretKey).toBeUndefined();
    expect(config.defaultNetwork.endpoint).toBe('127.0.0.1:51820');
    expect(config.defaultNetwork.mtu).toBeNull();
  });
});

describe('loadConfig values', () => {
  it('reads the server settings', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '8080',
      LOG_LEVEL: 'warn',
      BODY_LIMIT: '1mb',
      DATABASE_POOL_SIZE: '25',
    });
    expect(config.nodeEnv).toBe('production');
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.logLevel).toBe('warn');
    expect(config.bodyLimit).toBe('1mb');
    expect(config.databasePoolSize).toBe(25);
  });

  it('reads WEB_CONCURRENCY as a count of service processes, auto and 0 meaning one per core', () => {
    expect(loadConfig({ WEB_CONCURRENCY: '3' }).webConcurrency).toBe(3);
    expect(loadConfig({ WEB_CONCURRENCY: 'auto' }).webConcurrency).toBe(availableParallelism());
    expect(loadConfig({ WEB_CONCURRENCY: '0' }).webConcurrency).toBe(availableParallelism());
    for (const bad of ['-1', '1.5', 'many', '65']) {
      expect(() => loadConfig({ WEB_CONCURRENCY: bad }), bad).toThrow(/WEB_CONCURRENCY/);
    }
  });

  it('derives PUBLIC_URL from HOST and PORT, bracketing IPv6 hosts', () => {
    expect(loadConfig({ HOST: '::1', PORT: '3001' }).publicUrl).toBe('http://[::1]:3001');
    expect(loadConfig({ HOST: 'fd00::5' }).publicUrl).toBe('http://[fd00::5]:3000');
    expect(loadConfig({ HOST: 'vpn.internal' }).publicUrl).toBe('http://vpn.internal:3000');
    expect(loadConfig({ PUBLIC_URL: 'https://vpn.example.org/enroll//' }).publicUrl).toBe(
      'https://vpn.example.org/enroll',
    );
  });

  it('reads the rate limits, 0 turning them off', () => {
    const config = loadConfig({ RATE_LIMIT_PER_MINUTE: '0', AUTH_FAILURES_PER_MINUTE: '5' });
    expect(config.rateLimitPerMinute).toBe(0);
    expect(config.authFailuresPerMinute).toBe(5);
  });

  it('accepts the ends of the PORT range', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it('keeps the hub local only for the embedded database unless HUB_LOCAL says otherwise', () => {
    const url = 'postgres://wg:pw@db.internal:5432/wg';
    expect(loadConfig({ DATABASE_URL: url }).localHub).toBe(false);
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/wg', HUB_LOCAL: 'true' }).localHub).toBe(true);
    expect(loadConfig({ HUB_LOCAL: 'false' }).localHub).toBe(false);
  });

  it('decodes SECRET_KEY and keeps ADMIN_TOKEN', () => {
    const config = loadConfig({ SECRET_KEY: VALID_SECRET_KEY, ADMIN_TOKEN: 'a-long-enough-admin-token' });
    expect(config.secretKey).toEqual(
      Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'),
    );
    expect(config.adminToken).toBe('a-long-enough-admin-token');
    expect(loadConfig({ ADMIN_TOKEN: '  padded-admin-token-value  ' }).adminToken).toBe('padded-admin-token-value');
  });
});

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['45', 45_000],
    ['0s', 0],
    [' 5m ', 300_000],
  ])('parses %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '1.5h', '-1s', '1w', '10 m', '1H', 'h', '1h30m', '1e3s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('reads LEASE_COOLDOWN, CLAIM_TTL and SWEEP_INTERVAL', () => {
    const config = loadConfig({ LEASE_COOLDOWN: '30s', CLAIM_TTL: '7d', SWEEP_INTERVAL: '250ms' });
    expect(config.leaseCooldownMs).toBe(30_000);
    expect(config.claimTtlMs).toBe(604_800_000);
    expect(config.sweepIntervalMs).toBe(250);
    expect(loadConfig({ LEASE_COOLDOWN: '10m' }).leaseCooldownMs).toBe(600_000);
  });
});

describe('the default network', () => {
  it('is IPv4 only when WG_IPV6_CIDR is set to the empty string', () => {
    const network = loadConfig({ WG_IPV6_CIDR: '' }).defaultNetwork;
    expect(network.ipv6Cidr).toBeNull();
    expect(network.allowedIps).toEqual(['172.22.2.0/24']);
  });

  it('reads every WG_ variable', () => {
    const network = loadConfig({
      WG_DEFAULT_NETWORK: 'office',
      WG_IPV4_CIDR: '10.8.0.0/16',
      WG_IPV6_CIDR: 'FD00:8::/64',
      WG_ENDPOINT: 'vpn.example.org:443',
      WG_LISTEN_PORT: '51820',
      WG_PERSISTENT_KEEPALIVE: '0',
      WG_DNS: '10.8.0.1, corp.example.org,',
      WG_MTU: '1420',
      WG_ALLOWED_IPS: '10.8.0.0/16, 192.168.0.0/24',
    }).defaultNetwork;
    expect(network).toEqual({
      name: 'office',
      ipv4Cidr: '10.8.0.0/16',
      ipv6Cidr: 'fd00:8::/64',
      endpoint: 'vpn.example.org:443',
      listenPort: 51820,
      persistentKeepalive: 0,
      dns: ['10.8.0.1', 'corp.example.org'],
      mtu: 1420,
      allowedIps: ['10.8.0.0/16', '192.168.0.0/24'],
    });
  });

  it('takes the listen port from WG_ENDPOINT by default', () => {
    expect(loadConfig({ WG_ENDPOINT: '[2001:db8::1]:4500' }).defaultNetwork.listenPort).toBe(4500);
  });
});

describe('bad configuration', () => {
  it('reports every bad variable at once', () => {
    const error = configError({
      PORT: 'abc',
      WG_IPV4_CIDR: '10.0.0.1/24',
      WG_ENDPOINT: 'nope',
      LEASE_COOLDOWN: 'soon',
    });
    expect(error.message).toMatch(/^Invalid configuration:\n/);
    for (const name of ['PORT', 'WG_IPV4_CIDR', 'WG_ENDPOINT', 'LEASE_COOLDOWN']) {
      expect(problemNames(error), name).toContain(name);
      expect(error.message).toContain(`  - ${name}: `);
    }
    expect(error.problems.find((p) => p.startsWith('WG_IPV4_CIDR:'))).toContain('10.0.0.0');
    expect(error.problems.find((p) => p.startsWith('LEASE_COOLDOWN:'))).toMatch(/duration/);
  });

  it('reports network problems together with problems in other variables', () => {
    const error = configError({
      NODE_ENV: 'staging',
      WG_DEFAULT_NETWORK: 'Bad Name',
      WG_DNS: 'bad dns',
      WG_ALLOWED_IPS: '10.0.0.1/8',
    });
    expect(problemNames(error).sort()).toEqual(['NODE_ENV', 'WG_ALLOWED_IPS', 'WG_DEFAULT_NETWORK', 'WG_DNS']);
  });

  it.each([
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '3000.5'],
    ['PORT', ' 3000x'],
    ['NODE_ENV', 'staging'],
    ['PUBLIC_URL', 'ftp://vpn.example.org'],
    ['PUBLIC_URL', 'not a url'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', '201'],
    ['HUB_LOCAL', 'yes'],
    ['LOG_LEVEL', 'verbose'],
    ['LEASE_COOLDOWN', '1w'],
    ['CLAIM_TTL', 'tomorrow'],
    ['SWEEP_INTERVAL', '-5s'],
    ['BODY_LIMIT', '1gb'],
    ['RATE_LIMIT_PER_MINUTE', 'many'],
    ['AUTH_FAILURES_PER_MINUTE', '1000001'],
    ['WG_DEFAULT_NETWORK', 'Default'],
    ['WG_IPV4_CIDR', '10.0.0.0/8'],
    ['WG_IPV6_CIDR', 'fd00::1/64'],
    ['WG_IPV6_CIDR', 'fd00::/121'],
    ['WG_ENDPOINT', 'vpn.example.org:0'],
    ['WG_PERSISTENT_KEEPALIVE', '65536'],
    ['WG_DNS', '1.1.1.1,bad dns'],
    ['WG_LISTEN_PORT', '0'],
    ['WG_LISTEN_PORT', '65536'],
    ['WG_MTU', '1279'],
    ['WG_MTU', '9001'],
    ['WG_ALLOWED_IPS', 'everything'],
  ])('reports %s=%j', (name, value) => {
    expect(problemNames(configError({ [name]: value }))).toEqual([name]);
  });

  it('reports an IPv6 range too small for the IPv4 range', () => {
    expect(problemNames(configError({ WG_IPV4_CIDR: '10.1.0.0/16', WG_IPV6_CIDR: 'fd00::/120' }))).toEqual([
      'WG_IPV6_CIDR',
    ]);
  });
});

describe('secrets', () => {
  it('never echoes a bad secret value', () => {
    const secrets = {
      SECRET_KEY: 'short-secret-value',
      ADMIN_TOKEN: 'tooshort-admin',
      DATABASE_URL: 'mysql://wg:hunter2-db-password@db.internal/wg',
    };
    const error = configError(secrets);
    expect(problemNames(error).sort()).toEqual(['ADMIN_TOKEN', 'DATABASE_URL', 'SECRET_KEY']);
    const text = allTextOf(error);
    for (const value of Object.values(secrets)) {
      expect(text).not.toContain(value);
    }
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('short-secret');
  });

  it('refuses a SECRET_KEY that is not 32 bytes', () => {
    expect(problemNames(configError({ SECRET_KEY: Buffer.alloc(31, 1).toString('base64') }))).toEqual(['SECRET_KEY']);
    expect(problemNames(configError({ SECRET_KEY: Buffer.alloc(33, 1).toString('base64') }))).toEqual(['SECRET_KEY']);
    expect(problemNames(configError({ SECRET_KEY: '00'.repeat(32) }))).toEqual(['SECRET_KEY']);
  });

  it('reads ADMIN_TOKEN from ADMIN_TOKEN_FILE, trimmed', () => {
    const file = tempFile('admin-token', 'file-admin-token-0123456789\n');
    expect(loadConfig({ ADMIN_TOKEN_FILE: file }).adminToken).toBe('file-admin-token-0123456789');
    expect(loadConfig({ ADMIN_TOKEN_FILE: file, ADMIN_TOKEN: '' }).adminToken).toBe('file-admin-token-0123456789');
  });

  it('reads SECRET_KEY and DATABASE_URL from files', () => {
    const key = tempFile('secret-key', `${VALID_SECRET_KEY}\n`);
    const db = tempFile('database-url', 'postgres://wg:pw@db.internal/wg\n');
    const config = loadConfig({ SECRET_KEY_FILE: key, DATABASE_URL_FILE: db });
    expect(config.secretKey).toEqual(Buffer.from(VALID_SECRET_KEY, 'base64'));
    expect(config.databaseUrl).toBe('postgres://wg:pw@db.internal/wg');
    expect(config.localHub).toBe(false);
  });

  it('validates a secret read from a file without echoing it', () => {
    const file = tempFile('short-token', 'file-secret-short\n');
    const error = configError({ ADMIN_TOKEN_FILE: file });
    expect(problemNames(error)).toEqual(['ADMIN_TOKEN']);
    expect(allTextOf(error)).not.toContain('file-secret-short');
  });

  it('refuses ADMIN_TOKEN together with ADMIN_TOKEN_FILE, without echoing either token', () => {
    const file = tempFile('admin-token-both', 'token-from-the-file-0123456789\n');
    const error = configError({ ADMIN_TOKEN: 'token-from-the-environment-0123', ADMIN_TOKEN_FILE: file });
    expect(error.problems).toEqual(['ADMIN_TOKEN and ADMIN_TOKEN_FILE: set one, not both']);
    const text = allTextOf(error);
    expect(text).not.toContain('token-from-the-file');
    expect(text).not.toContain('token-from-the-environment');
  });

  it('reports an unreadable secret file together with other problems', () => {
    const missing = join(tmp, 'does-not-exist');
    const error = configError({ ADMIN_TOKEN_FILE: missing, PORT: 'abc' });
    expect(error.problems).toContain(`ADMIN_TOKEN_FILE: cannot read ${missing}`);
    expect(problemNames(error)).toContain('PORT');
  });
});

describe('bounds found in review', () => {
  it('refuses a sweep interval of 0 or beyond the timer limit (both would sweep every millisecond)', () => {
    for (const value of ['0', '0s', '0ms', '25d', '30d']) {
      expect(() => loadConfig({ SWEEP_INTERVAL: value })).toThrow(/SWEEP_INTERVAL/);
    }
    expect(loadConfig({ SWEEP_INTERVAL: '24d' }).sweepIntervalMs).toBe(24 * 86_400_000);
  });

  it('refuses a claim TTL that would make an invalid date', () => {
    expect(() => loadConfig({ CLAIM_TTL: '99999999d' })).toThrow(/CLAIM_TTL/);
  });

  it('accepts whole numbers with surrounding spaces, as .env files often have', () => {
    expect(loadConfig({ PORT: ' 3000 ' }).port).toBe(3000);
  });

  it('turns HOST=:: into a reachable PUBLIC_URL', () => {
    expect(loadConfig({ HOST: '::', PORT: '3000' }).publicUrl).toBe('http://[::1]:3000');
  });
});

describe('NO_RATE_LIMITS', () => {
  it('switches every abuse limit off', () => {
    const config = loadConfig({ ...NO_RATE_LIMITS });
    expect(Object.keys(NO_RATE_LIMITS)).toHaveLength(8);
    expect(config.rateLimitPerMinute).toBe(0);
    expect(config.authFailuresPerMinute).toBe(0);
    expect(Object.values(config.limits).filter((v) => typeof v === 'number' && v !== 0)).toEqual([]);
  });
});

describe('OpenID Connect settings', () => {
  it('are off without OIDC_ISSUER', () => {
    expect(loadConfig({}).oidc).toBeNull();
  });

  it('reads the provider, the groups and the session lifetimes', () => {
    const config = loadConfig({
      OIDC_ISSUER: 'https://login.example.org/realms/lab',
      OIDC_CLIENT_ID: 'wg-enroll',
      OIDC_CLIENT_SECRET: 's3cret',
      OIDC_ADMIN_GROUPS: 'vpn-admins, ops',
      OIDC_ALLOWED_GROUPS: 'vpn-users',
      SESSION_IDLE_TIMEOUT: '30m',
      SESSION_MAX_AGE: '8h',
    });
    expect(config.oidc).toEqual({
      issuer: 'https://login.example.org/realms/lab',
      clientId: 'wg-enroll',
      clientSecret: 's3cret',
      scopes: 'openid email profile',
      groupsClaim: 'groups',
      adminGroups: ['vpn-admins', 'ops'],
      allowedGroups: ['vpn-users'],
    });
    expect([config.sessionIdleMs, config.sessionMaxMs]).toEqual([30 * 60_000, 8 * 3_600_000]);
  });

  it('refuses half a configuration, scopes without openid and a bad issuer, naming each variable', () => {
    expect(() => loadConfig({ OIDC_CLIENT_ID: 'x' })).toThrow(/OIDC_ISSUER: set it too/);
    expect(() => loadConfig({ OIDC_ISSUER: 'https://login.example.org' })).toThrow(/OIDC_CLIENT_ID: required/);
    expect(() => loadConfig({ OIDC_ISSUER: 'https://a.example', OIDC_CLIENT_ID: 'x', OIDC_SCOPES: 'email' })).toThrow(
      /OIDC_SCOPES: must include openid/,
    );
    expect(() => loadConfig({ OIDC_ISSUER: 'ftp://a.example', OIDC_CLIENT_ID: 'x' })).toThrow(/OIDC_ISSUER/);
  });

  it('reads OIDC_CLIENT_SECRET from OIDC_CLIENT_SECRET_FILE', () => {
    const file = tempFile('oidc-secret', 'from-a-file\n');
    const config = loadConfig({
      OIDC_ISSUER: 'https://login.example.org',
      OIDC_CLIENT_ID: 'x',
      OIDC_CLIENT_SECRET_FILE: file,
    });
    expect(config.oidc?.clientSecret).toBe('from-a-file');
  });
});
