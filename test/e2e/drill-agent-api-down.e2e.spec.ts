import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/embedded-postgres';
import { cloneDatabase } from '../support/db';
import { runCli, type ServiceProcess } from '../support/process';
import { apiClient, createNetwork, createToken, enrollPeer, expectStatus } from '../support/api';
import { buildDist, newAdminToken, report, startReplica, type Replica } from '../support/replica';

/**
 * Outage drill: the API goes away under a running hub agent (a real `wg-enroll agent` process in
 * file mode, --apply none). The hub file must stay as it is while the API is down, the agent
 * must back off instead of hammering, and once the API is back the hub converges, including the
 * changes made (through another replica) while this one was away. The real-tunnel version is
 * test/tunnel (npm run test:tunnel).
 */
let database: { url: string; drop: () => Promise<void> };
let adminToken: string;
let port: number;
let api: Replica | undefined;
let other: Replica;
let agent: ServiceProcess;
let configDir: string;
const blackholes: Server[] = [];

beforeAll(async () => {
  buildDist();
  database = await cloneDatabase();
  adminToken = newAdminToken();
  port = await freePort();
  api = await startReplica(database.url, adminToken, { PORT: String(port) });
  other = await startReplica(database.url, adminToken);
  configDir = mkdtempSync(join(tmpdir(), 'wg-enroll-agent-drill-'));
}, 180_000);

afterAll(async () => {
  agent?.child.kill('SIGTERM');
  await agent?.exited;
  blackholes.forEach((s) => s.close());
  const codes = await Promise.all([api?.stop(), other?.stop()]);
  await database?.drop();
  rmSync(configDir, { recursive: true, force: true });
  expect(codes).toEqual([0, 0]);
});

const hubFile = () => join(configDir, 'wg0.conf');
const keysIn = (text: string) => [...text.matchAll(/^PublicKey = (\S+)$/gm)].map((m) => m[1]).sort();

async function activeKeys(): Promise<string[]> {
  const state = await expectStatus(
    200,
    apiClient(other.url, adminToken).GET('/v1/networks/{network}/hub/desired-state', {
      params: { path: { network: 'site' } },
    }),
  );
  return state.peers.map((p) => p.publicKey).sort();
}

async function until(what: string, check: () => boolean, ms: number): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > ms) {
      throw new Error(`not within ${ms} ms: ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

const fileHas = (keys: string[]) => () => {
  try {
    return JSON.stringify(keysIn(readFileSync(hubFile(), 'utf8'))) === JSON.stringify(keys);
  } catch {
    return false;
  }
};

describe('the API unreachable for the hub agent', () => {
  it('the hub keeps its peers, the agent backs off, and converges when the API is back', async () => {
    const admin = apiClient(api!.url, adminToken);
    await createNetwork(admin, { name: 'site', ipv4Cidr: '10.90.0.0/24', endpoint: 'hub.example.org:51820' });
    const token = await createToken(admin, { name: 'hub', role: 'agent', network: 'site' });
    agent = runCli(
      [
        'agent',
        '--api-url',
        api!.url,
        '--network',
        'site',
        '--config-dir',
        configDir,
        '--apply',
        'none',
        '--report-interval',
        '1',
      ],
      { AGENT_TOKEN: token.token, LOG_LEVEL: 'info' },
    );
    // The agent registers the hub key; then enrollments can go.
    await until(
      'hub key registered',
      () => statSync(join(configDir, 'wg0.key'), { throwIfNoEntry: false }) !== undefined,
      20_000,
    );
    let enrolled = 0;
    for (let tries = 0; enrolled < 5 && tries < 100; tries++) {
      const res = await admin.POST('/v1/networks/{network}/peers', {
        params: { path: { network: 'site' } },
        body: { name: `n-${enrolled}` },
      });
      if (res.response.status === 201) {
        enrolled++;
      } else {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(enrolled).toBe(5);
    const keys = await activeKeys();
    await until('hub file has the 5 peers', fileHas(keys), 10_000);
    const content = readFileSync(hubFile(), 'utf8');
    const mtime = statSync(hubFile()).mtimeMs;

    // The API goes away. Its port then accepts and drops every connection (a dead backend
    // behind a proxy), counting the agent's attempts.
    expect(await api!.stop()).toBe(0);
    api = undefined;
    let attempts = 0;
    const blackhole = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    blackholes.push(blackhole);
    await new Promise<void>((resolve) => blackhole.listen(port, '127.0.0.1', resolve));
    // Changes go on through the other replica meanwhile: 2 enrollments and 1 revocation.
    const elsewhere = apiClient(other.url, adminToken);
    await enrollPeer(elsewhere, 'site', { name: 'while-down-1' });
    await enrollPeer(elsewhere, 'site', { name: 'while-down-2' });
    const list = await expectStatus(
      200,
      elsewhere.GET('/v1/networks/{network}/peers', {
        params: { path: { network: 'site' }, query: { status: 'active' } },
      }),
    );
    const victim = list.items.find((p) => p.name === 'n-0')!;
    await expectStatus(200, elsewhere.DELETE('/v1/peers/{id}', { params: { path: { id: victim.id } } }));
    const downMs = 6000;
    await new Promise((r) => setTimeout(r, downMs));
    // The hub is left exactly as it was; the agent is alive and backing off.
    expect(readFileSync(hubFile(), 'utf8')).toBe(content);
    expect(statSync(hubFile()).mtimeMs).toBe(mtime);
    expect(agent.child.exitCode).toBeNull();
    expect(agent.output()).toContain('keeping the hub as it is and retrying');
    report(`[agent-drill] API down ${downMs} ms: ${attempts} connection attempts by the agent (long-poll + reports)`);
    expect(attempts).toBeGreaterThan(0);
    expect(attempts).toBeLessThan(40);

    // The API is back on the same address: the hub converges to the desired state.
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    api = await startReplica(database.url, adminToken, { PORT: String(port) });
    const target = await activeKeys();
    expect(target).toHaveLength(6);
    expect(target).not.toEqual(keys);
    const convergedMs = await until('hub file converged', fileHas(target), 40_000);
    report(`[agent-drill] hub file converged ${Math.round(convergedMs)} ms after the API listened again`);
    expect(statSync(hubFile()).mode & 0o777).toBe(0o600);
  }, 120_000);
});
