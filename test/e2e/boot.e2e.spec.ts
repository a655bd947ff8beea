import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberSecret } from '../support/app';
import { ROOT } from '../support/paths';
import { runCli, type ServiceProcess } from '../support/process';
import { apiClient, enrollPeer, expectStatus } from '../support/api';

/**
 * The embedded default as `npm start` runs it: the built command, no DATABASE_URL, a fresh
 * DATA_DIR. Proves the first-start duties and that restarts (clean or after SIGKILL) work.
 */
let dataDir: string;
const running: ServiceProcess[] = [];

beforeAll(() => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  dataDir = mkdtempSync(join(tmpdir(), 'wg-enroll-boot-'));
}, 120_000);

afterAll(async () => {
  for (const p of running) {
    p.child.kill('SIGKILL');
  }
  await new Promise((r) => setTimeout(r, 500));
  postmasterPids().forEach((pid) => process.kill(pid, 'SIGKILL'));
  rmSync(dataDir, { recursive: true, force: true });
});

function start(env: Record<string, string> = {}): ServiceProcess {
  const p = runCli(['serve'], { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', ...env });
  running.push(p);
  return p;
}

/** Postmasters serving this DATA_DIR. */
function postmasterPids(): number[] {
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) {
    return [];
  }
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return [pid];
  } catch {
    return [];
  }
}

describe('npm start: the embedded default', () => {
  let token: string;

  it('starts Postgres, migrates, creates the default network, the hub key and the first admin token', async () => {
    const p = start();
    const url = await p.url;
    const tokenFile = join(dataDir, 'admin-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    token = readFileSync(tokenFile, 'utf8').trim();
    rememberSecret(token);
    expect(token).toMatch(/^wgt_[A-Za-z0-9_-]{43}$/);
    expect(p.output()).toContain(tokenFile);
    expect(p.output()).not.toContain(token);
    expect(statSync(join(dataDir, 'hub', 'wg0.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    const api = apiClient(url, token);
    expect((await apiClient(url, undefined).GET('/readyz')).data).toEqual({
      status: 'ready',
      database: 'up',
      migrations: 'current',
    });
    const network = await expectStatus(
      200,
      api.GET('/v1/networks/{network}', { params: { path: { network: 'default' } } }),
    );
    expect(network).toMatchObject({
      ipv4Cidr: '172.22.2.0/24',
      ipv6Cidr: 'fd4e:6fb7:b3af::/64',
      persistentKeepalive: 30,
    });
    expect(network.hubPublicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const hubKey = readFileSync(join(dataDir, 'hub', 'wg0.key'), 'utf8').trim();
    expect(execFileSync('wg', ['pubkey'], { input: `${hubKey}\n`, encoding: 'utf8' }).trim()).toBe(
      network.hubPublicKey,
    );
    // The embedded agent writes the hub file for every change of the desired state.
    const body = await enrollPeer(api, 'default', { name: 'first-node' });
    const hubFile = join(dataDir, 'hub', 'wg0.conf');
    const deadline = Date.now() + 5000;
    while (
      Date.now() < deadline &&
      !(existsSync(hubFile) && readFileSync(hubFile, 'utf8').includes(body.peer.publicKey))
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(readFileSync(hubFile, 'utf8')).toContain(`PublicKey = ${body.peer.publicKey}`);
    expect(statSync(hubFile).mode & 0o777).toBe(0o600);
    const status = () =>
      expectStatus(200, api.GET('/v1/networks/{network}/status', { params: { path: { network: 'default' } } }));
    let hub = (await status()).hub;
    for (let i = 0; i < 50 && hub.inSync !== true; i++) {
      await new Promise((r) => setTimeout(r, 100));
      hub = (await status()).hub;
    }
    expect(hub).toMatchObject({ inSync: true, agentHealthy: true });
    // No WireGuard interface on this machine: the status says the file is not applied, and why.
    expect({ applyState: hub.applyState, applyProblem: hub.applyProblem }).toMatchObject({
      applyState: 'not-applied',
      applyProblem: expect.stringMatching(/`wg` command is not installed|interface "wg0" does not exist/),
    });
    expect(p.output()).not.toContain(body.config!.text.match(/PrivateKey = (\S+)/)![1]);
    expect(postmasterPids()).toHaveLength(1);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(postmasterPids()).toEqual([]);
  }, 120_000);

  it('restarts on the same data: same token, same network, no new secrets', async () => {
    const before = readFileSync(join(dataDir, 'admin-token'), 'utf8');
    const p = start();
    const url = await p.url;
    expect(readFileSync(join(dataDir, 'admin-token'), 'utf8')).toBe(before);
    expect((await expectStatus(200, apiClient(url, token).GET('/v1/networks'))).items).toHaveLength(1);
    // A SIGKILLed run leaves its postmaster behind; the next start must cope.
    p.child.kill('SIGKILL');
    await p.exited;
    expect(postmasterPids()).toHaveLength(1);
    const q = start();
    const url2 = await q.url;
    expect((await apiClient(url2, undefined).GET('/readyz')).response.status).toBe(200);
    q.child.kill('SIGTERM');
    expect(await q.exited).toBe(0);
  }, 120_000);

  it('registers ADMIN_TOKEN as an admin token', async () => {
    const secret = `wgt_${'A'.repeat(20)}${Date.now()}`;
    rememberSecret(secret);
    const p = start({ ADMIN_TOKEN: secret });
    const url = await p.url;
    expect((await apiClient(url, secret).GET('/v1/tokens')).response.status).toBe(200);
    expect(p.output()).not.toContain(secret);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 120_000);

  it('documents the agent command and refuses an agent without its settings', async () => {
    const help = runCli(['agent', '--help'], {});
    expect(await help.exited).toBe(0);
    for (const flag of ['--api-url', '--token', '--network', '--interface', '--config-dir', '--apply', 'AGENT_TOKEN']) {
      expect(help.output()).toContain(flag);
    }
    const bare = runCli(['agent'], {});
    expect(await bare.exited).toBe(2);
    expect(bare.output()).toContain('AGENT_API_URL');
    expect(bare.output()).toContain('AGENT_TOKEN');
    expect(bare.output()).toContain('AGENT_NETWORK');
  }, 60_000);

  it('reports every bad variable at once and exits 2 without starting', async () => {
    const p = runCli(['serve'], {
      DATA_DIR: join(dataDir, 'never'),
      PORT: 'abc',
      WG_IPV4_CIDR: '10.0.0.1/24',
      WG_ENDPOINT: 'no-port',
      LEASE_COOLDOWN: 'soon',
      SECRET_KEY: 'short-secret-value',
    });
    expect(await p.exited).toBe(2);
    for (const name of ['PORT', 'WG_IPV4_CIDR', 'WG_ENDPOINT', 'LEASE_COOLDOWN', 'SECRET_KEY']) {
      expect(p.output()).toContain(name);
    }
    expect(p.output()).not.toContain('short-secret-value');
    expect(existsSync(join(dataDir, 'never'))).toBe(false);
  }, 60_000);
});
