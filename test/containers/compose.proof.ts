import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths';
import {
  composeFile,
  composeService,
  hostPort,
  inspect,
  logs,
  podman,
  runArgs,
  waitHealthy,
  type ComposeService,
} from './compose';

/**
 * The project's images, built and run as docker/compose.yml describes them (podman here: no
 * Docker engine, no registry; the bases come from scripts/containers/make-bases.sh):
 * Postgres with its volume, two API replicas on a read-only root, the hub agent in file mode
 * (AGENT_APPLY=none: it writes the hub config, no interface). Checked from outside the
 * containers. Everything started is removed at the end; the images stay as build cache.
 */

const PROJECT = `wgeproof${randomBytes(3).toString('hex')}`;
const NODE_IMAGE = process.env.CONTAINERS_NODE_IMAGE ?? 'localhost/wg-enroll-base/node:22';
const POSTGRES_IMAGE = process.env.CONTAINERS_POSTGRES_IMAGE ?? 'localhost/wg-enroll-base/postgres:15';
const MIGRATIONS = readdirSync(join(ROOT, 'prisma', 'migrations'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const ADMIN_TOKEN = `wgt_${randomBytes(32).toString('base64url')}`;
/** What `.env` would hold; the agent's token is added once the API has made it. */
const env: Record<string, string> = {
  POSTGRES_PASSWORD: randomBytes(18).toString('base64url'),
  PUBLIC_URL: 'https://vpn.example.test',
  ADMIN_TOKEN,
  SECRET_KEY: randomBytes(32).toString('base64'),
  WG_ENDPOINT: 'hub.example.test:51820',
  AGENT_APPLY: 'none',
};

const name = (service: string, n = 1) => `${PROJECT}-${service}-${n}`;
const api: { name: string; url: string }[] = [];
let hubDir = '';
const timings: Record<string, string> = {};

async function run(service: string, container: string, spec: ComposeService, restart?: string) {
  const image = service === 'postgres' ? POSTGRES_IMAGE : undefined;
  await podman(runArgs({ project: PROJECT, service, name: container, spec, image, restart }));
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms / 1000} s${lastError ? ` (${String(lastError)})` : ''}`);
}

async function call(base: string, method: string, path: string, body?: unknown, token = ADMIN_TOKEN) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

function wgKeyPair() {
  const privateKey = execFileSync('wg', ['genkey']).toString().trim();
  const publicKey = execFileSync('wg', ['pubkey'], { input: privateKey }).toString().trim();
  return publicKey;
}

const hubConfig = () => readFileSync(join(hubDir, 'wg0.conf'), 'utf8');

async function sql(query: string): Promise<string> {
  const r = await podman(['exec', name('postgres'), 'psql', '-U', 'wg_enroll', '-d', 'wg_enroll', '-Atc', query]);
  return r.stdout.trim();
}

async function startPostgres() {
  const spec = composeService('postgres', env);
  await run('postgres', name('postgres'), spec);
  await waitHealthy(name('postgres'), spec);
}

async function removeProject() {
  const ids = (await podman(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`])).stdout
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) {
    await podman(['rm', '-f', '-t', '0', ...ids]);
  }
  for (const volume of Object.keys(composeFile().volumes)) {
    await podman(['volume', 'rm', '-f', `${PROJECT}_${volume}`], { allowFailure: true });
  }
  for (const network of Object.keys(composeFile().networks ?? {})) {
    await podman(['network', 'rm', '-f', `${PROJECT}_${network}`], { allowFailure: true });
  }
}

beforeAll(async () => {
  for (const base of [NODE_IMAGE, POSTGRES_IMAGE]) {
    if ((await podman(['image', 'exists', base], { allowFailure: true })).code !== 0) {
      throw new Error(
        `${base} is missing: run scripts/containers/make-bases.sh (or set CONTAINERS_NODE_IMAGE / CONTAINERS_POSTGRES_IMAGE)`,
      );
    }
  }
});

afterAll(async () => {
  await removeProject();
  const left = await podman(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]);
  const volumes = await podman(['volume', 'ls', '-q', '--filter', `name=${PROJECT}`]);
  const networks = await podman(['network', 'ls', '-q', '--filter', `name=${PROJECT}`]);
  process.stdout.write(
    `containers proof ${PROJECT}: ${Object.entries(timings)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}; removed its containers, volumes and network (images kept as build cache)\n`,
  );
  if (`${left.stdout}${volumes.stdout}${networks.stdout}`.trim() !== '') {
    throw new Error(`left behind: ${left.stdout} ${volumes.stdout} ${networks.stdout}`);
  }
}, 120_000);

describe('docker/Dockerfile, built as docker/compose.yml names it', () => {
  it('builds the api and the agent targets; the agent image carries Node, wg and one file of code', async () => {
    const baseSize = (await podman(['image', 'inspect', '--format', '{{.Size}}', NODE_IMAGE])).stdout.trim();
    for (const service of ['api', 'hub-agent']) {
      // Only build and image matter here (no variables in them): the agent's token comes later.
      const spec = composeFile().services[service];
      const build = spec.build as { context: string; dockerfile: string; target: string };
      const context = resolve(join(ROOT, 'docker'), build.context);
      const started = Date.now();
      await podman(
        [
          'build',
          '--pull=never',
          '--format',
          'docker',
          '--network',
          'host',
          '--build-arg',
          `NODE_IMAGE=${NODE_IMAGE}`,
          '-f',
          join(context, build.dockerfile),
          '--target',
          build.target,
          '-t',
          String(spec.image),
          context,
        ],
        { timeoutMs: 600_000 },
      );
      const size = Number(
        (await podman(['image', 'inspect', '--format', '{{.Size}}', String(spec.image)])).stdout.trim(),
      );
      const added = size - Number(baseSize);
      timings[`${service} image`] =
        `${(size / 1e6).toFixed(0)} MB (base ${(Number(baseSize) / 1e6).toFixed(0)} MB + ${(added / 1e6).toFixed(0)} MB), built in ${((Date.now() - started) / 1000).toFixed(0)} s`;
      // What each image adds to Node: the api its production dependencies and dist (pruned of
      // source maps, type declarations and other databases' query compilers), the agent wg and
      // a bundle of its code.
      expect(added).toBeLessThan(service === 'api' ? 90e6 : 40e6);
    }
    const agentFiles = await podman([
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      'wg-enroll-agent:latest',
      '-c',
      'ls /app; command -v wg; ls /app/node_modules 2>&1 || true',
    ]);
    expect(agentFiles.stdout).toContain('/usr/bin/wg');
    expect(agentFiles.stdout).toMatch(/node_modules.*No such file/);
  }, 900_000);
});

describe('docker/compose.yml, run: Postgres, two API replicas, the hub agent', () => {
  it('starts Postgres (health check passed) and two API replicas, ready on the read-only root as a non-root user', async () => {
    const started = Date.now();
    for (const network of Object.keys(composeFile().networks ?? {})) {
      await podman(['network', 'create', `${PROJECT}_${network}`]);
    }
    for (const volume of Object.keys(composeFile().volumes)) {
      await podman(['volume', 'create', `${PROJECT}_${volume}`]);
    }
    const apiSpec = composeService('api', env);
    expect(apiSpec.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    await startPostgres();
    // Both replicas at once, as `up --scale api=2` starts them: both run the migration step.
    await Promise.all([1, 2].map((n) => run('api', name('api', n), apiSpec)));
    for (const n of [1, 2]) {
      const url = `http://127.0.0.1:${await hostPort(name('api', n), 3000)}`;
      api.push({ name: name('api', n), url });
    }
    for (const replica of api) {
      const ready = await until(`${replica.name} /readyz`, 120_000, async () => {
        const r = await fetch(`${replica.url}/readyz`);
        return r.status === 200 ? r.json() : undefined;
      }).catch(async (error) => {
        throw new Error(`${String(error)}\n${await logs(replica.name)}`);
      });
      expect(ready).toEqual({ status: 'ready', database: 'up', migrations: 'current' });
      const state = await inspect<{ State: { Pid: number }; HostConfig: { ReadonlyRootfs: boolean } }>(replica.name);
      expect(state.HostConfig.ReadonlyRootfs).toBe(true);
      // From outside: the uid of the container's process as the host's kernel sees it.
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${state.State.Pid}/status`, 'utf8'))?.[1];
      expect(Number(uid)).toBe(1000);
      const write = await podman(['exec', replica.name, 'sh', '-c', 'touch /app/probe'], { allowFailure: true });
      expect(write.code).not.toBe(0);
      expect(write.stderr).toContain('Read-only file system');
      // The image's HEALTHCHECK, run by hand (no systemd here to schedule it).
      expect((await podman(['healthcheck', 'run', replica.name], { allowFailure: true })).code).toBe(0);
      // The node-side join script is in the image (GET /join.sh serves deploy/join.sh).
      const join = await fetch(`${replica.url}/join.sh`);
      expect(join.status).toBe(200);
      expect(await join.text()).toMatch(/^#!\/bin\/sh/);
    }
    timings['up to ready'] = `${((Date.now() - started) / 1000).toFixed(0)} s`;
  }, 300_000);

  it('applied the migrations once: one replica applied them, the other found nothing to do', async () => {
    const rows = (
      await sql(
        'SELECT migration_name, count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL GROUP BY 1 ORDER BY 1',
      )
    )
      .split('\n')
      .map((l) => l.split('|'));
    expect(rows.map((r) => r[0])).toEqual(MIGRATIONS);
    expect(rows.every((r) => r[1] === '1')).toBe(true);
    const outputs = await Promise.all(api.map((r) => logs(r.name)));
    const applied = outputs.filter((o) => MIGRATIONS.every((m) => o.includes(m)) && /^applied: \S/m.test(o));
    const nothing = outputs.filter((o) => o.includes('applied: nothing (up to date)'));
    expect([applied.length, nothing.length]).toEqual([1, 1]);
  });

  it('starts the hub agent (host network, NET_ADMIN, hub volume), which writes the hub file', async () => {
    const token = await call(api[0].url, 'POST', '/v1/tokens', { name: 'hub', role: 'agent', network: 'default' });
    expect(token.status).toBe(201);
    env.AGENT_API_URL = api[0].url;
    env.AGENT_TOKEN = token.body.token;
    const spec = composeService('hub-agent', env);
    expect(spec.network_mode).toBe('host');
    await run('hub-agent', name('hub-agent'), spec);
    const state = await inspect<{ HostConfig: { CapAdd: string[] } }>(name('hub-agent'));
    expect(state.HostConfig.CapAdd).toContain('CAP_NET_ADMIN');
    hubDir = (await podman(['volume', 'inspect', '--format', '{{.Mountpoint}}', `${PROJECT}_hub`])).stdout.trim();
    await until('the hub file', 30_000, () => (existsSync(join(hubDir, 'wg0.conf')) ? true : undefined)).catch(
      async (error) => {
        throw new Error(`${String(error)}\n${await logs(name('hub-agent'))}`);
      },
    );
    expect(hubConfig()).toMatch(/^\[Interface\]/m);
    expect(existsSync(join(hubDir, 'wg0.key'))).toBe(true);
  }, 120_000);

  it('an enrollment through the other replica is on the hub file within seconds', async () => {
    const publicKey = wgKeyPair();
    const started = Date.now();
    const enrolled = await call(api[1].url, 'POST', '/v1/networks/default/peers', { name: 'proof-one', publicKey });
    expect(enrolled.status).toBe(201);
    await until('the peer on the hub file', 10_000, () =>
      hubConfig().includes(`PublicKey = ${publicKey}`) ? true : undefined,
    );
    timings['enrollment → hub file'] = `${Date.now() - started} ms`;
  }, 60_000);

  it('a claim link is served once across the replicas: one 200, the other 410', async () => {
    const enrolled = await call(api[0].url, 'POST', '/v1/networks/default/peers', {
      name: 'proof-link',
      delivery: 'link',
    });
    expect(enrolled.status).toBe(201);
    const claimToken = new URL(enrolled.body.claim.url).pathname.split('/').pop();
    const answers = await Promise.all(
      api.map((r) =>
        fetch(`${r.url}/v1/claims/${claimToken}`, { method: 'POST' }).then(async (res) => ({
          status: res.status,
          text: await res.text(),
        })),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410]);
    expect(answers.find((a) => a.status === 200)?.text).toMatch(/^\[Interface\]/m);
  }, 60_000);

  it('the agent converges after its container is killed and started again, with the same hub key', async () => {
    const key = readFileSync(join(hubDir, 'wg0.key'), 'utf8');
    await podman(['kill', name('hub-agent')]);
    const publicKey = wgKeyPair();
    const enrolled = await call(api[1].url, 'POST', '/v1/networks/default/peers', {
      name: 'proof-after-kill',
      publicKey,
    });
    expect(enrolled.status).toBe(201);
    // The restart policy may already have started it again; `start` on a running container is a no-op.
    await podman(['start', name('hub-agent')]);
    const started = Date.now();
    await until('the peer enrolled during the kill on the hub file', 30_000, () =>
      hubConfig().includes(`PublicKey = ${publicKey}`) ? true : undefined,
    );
    timings['agent restart → converged'] = `${Date.now() - started} ms`;
    expect(readFileSync(join(hubDir, 'wg0.key'), 'utf8')).toBe(key);
  }, 90_000);

  it('the Postgres volume survives a new Postgres container: same peers, no new cluster, replicas ready again', async () => {
    const peers = await sql('SELECT count(*) FROM peer');
    expect(Number(peers)).toBeGreaterThanOrEqual(3);
    await podman(['stop', '-t', '30', name('postgres')]);
    await podman(['rm', name('postgres')]);
    await startPostgres();
    expect(await logs(name('postgres'))).not.toContain('initialised');
    expect(await sql('SELECT count(*) FROM peer')).toBe(peers);
    for (const replica of api) {
      await until(`${replica.name} ready again`, 60_000, async () =>
        (await fetch(`${replica.url}/readyz`)).status === 200 ? true : undefined,
      );
    }
    const publicKey = wgKeyPair();
    expect(
      (await call(api[0].url, 'POST', '/v1/networks/default/peers', { name: 'proof-new-db', publicKey })).status,
    ).toBe(201);
    await until('the agent sees changes on the new container', 30_000, () =>
      hubConfig().includes(`PublicKey = ${publicKey}`) ? true : undefined,
    );
  }, 180_000);
});

describe('bad input in a container: one line naming the variable, a non-zero exit, restarts with a pause', () => {
  async function imageDelay(): Promise<number> {
    const envs = (await podman(['image', 'inspect', '--format', '{{json .Config.Env}}', 'wg-enroll:latest'])).stdout;
    return Number(/START_FAILURE_DELAY=(\d+)/.exec(envs)?.[1] ?? 0);
  }

  async function failedStart(label: string, spec: ComposeService, variable: string, withRestarts = true) {
    const delay = await imageDelay();
    expect(delay).toBeGreaterThanOrEqual(2);
    // Once without restarts: the exit code and the whole output.
    const once = name(`api-${label}`);
    const started = Date.now();
    await run('api', once, spec, 'no');
    const code = Number((await podman(['wait', once], { timeoutMs: 60_000 })).stdout.trim());
    const out = await logs(once);
    expect(code, out).not.toBe(0);
    const lines = out
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('entrypoint: applying database migrations'));
    expect(
      lines.filter((l) => l.includes(variable)),
      out,
    ).toHaveLength(1);
    expect(out, 'no stack trace').not.toMatch(/^\s+at /m);
    expect(out).not.toContain(env.POSTGRES_PASSWORD);
    expect(Date.now() - started).toBeGreaterThanOrEqual(delay * 1000);
    if (!withRestarts) {
      await podman(['rm', '-f', '-t', '0', once]);
      return;
    }
    // Then with compose's restart policy: restarted, but not in a tight loop.
    const looping = name(`api-${label}`, 2);
    await run('api', looping, spec);
    const window = 3 * delay + 2;
    await new Promise((r) => setTimeout(r, window * 1000));
    const restarts = (await inspect<{ RestartCount: number }>(looping)).RestartCount;
    expect(restarts).toBeGreaterThanOrEqual(1);
    expect(restarts).toBeLessThanOrEqual(Math.ceil(window / delay));
    await podman(['rm', '-f', '-t', '0', once, looping]);
  }

  it('an unreachable DATABASE_URL: nothing listens on its port', async () => {
    const url = `postgresql://wg_enroll:${env.POSTGRES_PASSWORD}@postgres:1/wg_enroll`;
    await failedStart('refused', withDatabaseUrl(url), 'DATABASE_URL');
  }, 120_000);

  function withDatabaseUrl(url: string): ComposeService {
    const spec = composeService('api', env);
    spec.environment = { ...spec.environment, DATABASE_URL: url };
    return spec;
  }

  it('an unreachable DATABASE_URL: a host that does not resolve', async () => {
    const url = `postgresql://wg_enroll:${env.POSTGRES_PASSWORD}@no-such-host.invalid:5432/wg_enroll`;
    await failedStart('nohost', withDatabaseUrl(url), 'DATABASE_URL', false);
  }, 60_000);

  it('an unreachable DATABASE_URL: a server that closes the connection', async () => {
    // Not Postgres: a TCP server on the host (the network's gateway) that closes each connection
    // cleanly once the client has spoken, as a proxy with no backend does (seen here from the
    // egress proxy for addresses outside the network).
    const dropper = createServer((socket) => socket.once('data', () => socket.end()));
    await new Promise<void>((r) => dropper.listen(0, '0.0.0.0', r));
    try {
      const gateway = (
        await podman(['network', 'inspect', '--format', '{{range .Subnets}}{{.Gateway}}{{end}}', `${PROJECT}_backend`])
      ).stdout.trim();
      const port = (dropper.address() as AddressInfo).port;
      const url = `postgresql://wg_enroll:${env.POSTGRES_PASSWORD}@${gateway}:${port}/wg_enroll`;
      await failedStart('dropped', withDatabaseUrl(url), 'DATABASE_URL', false);
    } finally {
      dropper.close();
    }
  }, 60_000);

  it('no SECRET_KEY on the read-only root', async () => {
    const spec = composeService('api', env);
    const { SECRET_KEY: _dropped, ...rest } = spec.environment ?? {};
    void _dropped;
    spec.environment = rest;
    expect(spec.read_only).toBe(true);
    await failedStart('nokey', spec, 'SECRET_KEY');
  }, 120_000);
});
