import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HubAgent } from '../../src/agent/agent';
import { ensureHubKey } from '../../src/agent/hub-files';
import { RevisionNotifier } from '../../src/hub/revision-notifier';
import { Client } from 'pg';
import { bearer, logLinesOfThisProcess, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';

let t: TestApp;
let replica: TestApp;
let api: Api;
let agentToken: string;

beforeAll(async () => {
  t = await startTestApp();
  replica = await startTestApp({}, { databaseUrl: t.databaseUrl });
  api = new Api(t);
  await api.createNetwork({
    name: 'hubnet',
    ipv4Cidr: '10.30.0.0/24',
    ipv6Cidr: 'fd00:30::/64',
    persistentKeepalive: 25,
  });
  agentToken = (await api.token('agent', { network: 'hubnet' })).token;
});
afterAll(async () => {
  await replica?.close();
  await t?.close();
});

const desired = (app: TestApp, headers: Record<string, string> = {}, query = '') =>
  app.http.get(`/v1/networks/hubnet/hub/desired-state${query}`).set(bearer(agentToken)).set(headers);

describe('desired state', () => {
  it('lists the active peers with their preshared keys and host routes, under an ETag', async () => {
    const active = await api.enroll('hubnet', t.adminToken, { name: 'on-hub' });
    await api.enroll('hubnet', t.adminToken, { name: 'pending', delivery: 'link' });
    const res = await desired(t);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(`"${res.body.revision}"`);
    expect(res.body.interface).toEqual({
      addresses: ['10.30.0.1/24', 'fd00:30::1/64'],
      listenPort: 51820,
      persistentKeepalive: 25,
    });
    expect(res.body.peers).toHaveLength(1);
    const psk = /PresharedKey = (\S+)/.exec(active.body.config.text)![1];
    expect(res.body.peers[0]).toEqual({
      id: active.body.peer.id,
      name: 'on-hub',
      publicKey: active.body.peer.publicKey,
      presharedKey: psk,
      allowedIps: [`${active.body.peer.ipv4}/32`, `${active.body.peer.ipv6}/128`],
    });
    expect((await desired(t, { 'If-None-Match': res.headers.etag })).status).toBe(304);
  });

  it('built from the changes alone, each revision equals a build from scratch', async () => {
    // t keeps its built state and reads only what changed since; a fresh API process on the
    // same database builds from every row. Enroll, claim (pending → active), reissue (new
    // keys), revoke and quarantine must leave both with the same state, in the same order.
    await api.createNetwork({ name: 'deltanet', ipv4Cidr: '10.32.0.0/24', ipv6Cidr: 'fd00:32::/64' });
    const token = (await api.token('agent', { network: 'deltanet' })).token;
    const state = async (app: TestApp) => {
      const res = await app.http.get('/v1/networks/deltanet/hub/desired-state').set(bearer(token));
      expect(res.status).toBe(200);
      return res.body as { revision: string; peers: { id: string; publicKey: string; presharedKey: string }[] };
    };
    const admin = t.adminToken;
    const peers: { id: string; publicKey: string }[] = [];
    for (let i = 0; i < 4; i++) {
      peers.push((await api.enroll('deltanet', admin, { name: `d${i}` })).body.peer);
    }
    const first = await state(t);
    expect(first.peers.map((p) => p.id)).toEqual(peers.map((p) => p.id).sort());
    const link = await api.enroll('deltanet', admin, { name: 'by-link', delivery: 'link' });
    expect((await state(t)).peers.map((p) => p.id)).not.toContain(link.body.peer.id);
    expect((await api.claim(link.body.claim.url)).status).toBe(200);
    const reissued = await t.http.post(`/v1/peers/${peers[1].id}/reissue`).set(bearer(admin)).send({});
    expect(reissued.status, JSON.stringify(reissued.body)).toBe(201);
    rememberSecretsIn(reissued.body);
    expect((await t.http.delete(`/v1/peers/${peers[2].id}`).set(bearer(admin))).status).toBe(200);
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      await db.query('UPDATE peer SET quarantined = true WHERE id = $1::uuid', [peers[3].id]);
    } finally {
      await db.end();
    }
    const late = (await api.enroll('deltanet', admin, { name: 'late' })).body.peer;
    const incremental = await state(t);
    const fresh = await startTestApp({}, { databaseUrl: t.databaseUrl });
    try {
      const scratch = await state(fresh);
      expect(incremental).toEqual(scratch);
    } finally {
      await fresh.close();
    }
    const ids = incremental.peers.map((p) => p.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids)).toEqual(new Set([peers[0].id, peers[1].id, link.body.peer.id, late.id]));
    const reissuedPeer = incremental.peers.find((p) => p.id === peers[1].id)!;
    expect(reissuedPeer.publicKey).toBe(reissued.body.peer.publicKey);
    expect(reissuedPeer.presharedKey).toBe(/PresharedKey = (\S+)/.exec(reissued.body.config.text)![1]);
    expect(reissuedPeer.publicKey).not.toBe(peers[1].publicKey);
  });

  it('is for the agent of its network and admins only', async () => {
    await api.createNetwork({ name: 'other', ipv4Cidr: '10.31.0.0/24' });
    const foreign = await api.token('agent', { network: 'other' });
    expectProblem(
      await t.http.get('/v1/networks/hubnet/hub/desired-state').set(bearer(foreign.token)),
      404,
      'network-not-found',
    );
    const requester = await api.token('requester');
    expectProblem(
      await t.http.get('/v1/networks/hubnet/hub/desired-state').set(bearer(requester.token)),
      403,
      'forbidden',
    );
    expect((await t.http.get('/v1/networks/hubnet/hub/desired-state').set(bearer(t.adminToken))).status).toBe(200);
    expectProblem(await desired(t, {}, '?wait=61'), 400, 'validation-failed');
  });

  it('long-polls: an enrollment on another API process wakes the agent within a second', async () => {
    const first = await desired(t);
    const started = Date.now();
    const poll = desired(t, { 'If-None-Match': first.headers.etag }, '?wait=20');
    await new Promise((r) => setTimeout(r, 300));
    const enrolledAt = Date.now();
    const enrolled = await new Api(replica).enroll('hubnet', replica.adminToken, { name: 'woke-it' });
    const woke = await poll;
    const wokeAt = Date.now();
    expect(woke.status).toBe(200);
    expect(BigInt(woke.body.revision)).toBeGreaterThan(BigInt(first.body.revision));
    expect(woke.body.peers.map((p: { publicKey: string }) => p.publicKey)).toContain(enrolled.body.peer.publicKey);
    expect(wokeAt - enrolledAt).toBeLessThan(1000);
    expect(wokeAt - started).toBeLessThan(5000);
  });

  it('leaves no listener or timer behind when a long-poll answers at once', async () => {
    const notifier = t.app.get(RevisionNotifier) as unknown as { events: { listenerCount(name: string): number } };
    const before = notifier.events.listenerCount('*');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => desired(t, { 'If-None-Match': '"1"' }, '?wait=30')),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(notifier.events.listenerCount('*')).toBe(before);
  });

  it('answers 304 when nothing changes within the wait', async () => {
    const current = await desired(t);
    const started = Date.now();
    const res = await desired(t, { 'If-None-Match': current.headers.etag }, '?wait=1');
    expect(res.status).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

/** What the agent would report after `wg show dump` saw this key at this endpoint. */
async function reportEndpoint(revision: string, publicKey: string, endpoint: string): Promise<void> {
  await t.http
    .post('/v1/networks/hubnet/hub/status')
    .set(bearer(agentToken))
    .send({
      appliedRevision: revision,
      configSha256: 'b'.repeat(64),
      peers: [{ publicKey, endpoint, latestHandshake: Math.floor(Date.now() / 1000), rxBytes: 1, txBytes: 1 }],
    })
    .expect(204);
}

describe('status from the agent', () => {
  it('logs what the agent reports within the request, under that request id', async () => {
    const state = await desired(t);
    const res = await t.http
      .post('/v1/networks/hubnet/hub/status')
      .set(bearer(agentToken))
      .set('X-Request-Id', 'agent-report-1')
      .send({ appliedRevision: state.body.revision, configSha256: 'c'.repeat(64), peers: [], applyError: 'wg: boom' })
      .expect(204);
    expect(res.headers['x-request-id']).toBe('agent-report-1');
    // The service's own warning, not only the access log line, carries the request's id.
    await vi.waitFor(() => {
      const lines = logLinesOfThisProcess().filter((l) => l.requestId === 'agent-report-1');
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['hub agent reports a failed apply', 'request']));
    });
  });

  it('says a file that was written but not applied, or refused by wg, is so, and why', async () => {
    const state = await desired(t);
    const report = (extra: Record<string, unknown>) =>
      t.http
        .post('/v1/networks/hubnet/hub/status')
        .set(bearer(agentToken))
        .send({ appliedRevision: state.body.revision, configSha256: 'c'.repeat(64), peers: [], ...extra })
        .expect(204);
    const hub = async () =>
      (await t.http.get('/v1/networks/hubnet/status').set(bearer(t.adminToken)).expect(200)).body.hub;
    await report({ notApplied: 'the WireGuard interface "wg0" does not exist' });
    expect(await hub()).toMatchObject({
      inSync: true,
      applyState: 'not-applied',
      applyProblem: 'the WireGuard interface "wg0" does not exist',
    });
    await report({ applyError: 'wg: boom' });
    expect(await hub()).toMatchObject({ applyState: 'failed', applyProblem: 'wg: boom' });
    await report({});
    expect(await hub()).toMatchObject({ applyState: 'applied', applyProblem: null });
  });

  it('shows desired vs. applied revision, handshakes, endpoints and bytes', async () => {
    const state = await desired(t);
    const peer = state.body.peers[0];
    const now = Math.floor(Date.now() / 1000);
    const report = await t.http
      .post('/v1/networks/hubnet/hub/status')
      .set(bearer(agentToken))
      .send({
        appliedRevision: state.body.revision,
        configSha256: 'a'.repeat(64),
        peers: [
          {
            publicKey: peer.publicKey,
            endpoint: '192.0.2.10:40000',
            latestHandshake: now - 5,
            rxBytes: 1000,
            txBytes: 2000,
          },
        ],
      });
    expect(report.status).toBe(204);
    const status = await t.http.get('/v1/networks/hubnet/status').set(bearer(t.adminToken)).expect(200);
    expect(status.body.hub).toMatchObject({
      desiredRevision: state.body.revision,
      appliedRevision: state.body.revision,
      inSync: true,
      agentHealthy: true,
      applyState: 'applied',
      applyProblem: null,
    });
    expect(status.body.pool).toMatchObject({ size: 253 });
    const row = status.body.items.find((p: { id: string }) => p.id === peer.id);
    expect(row).toMatchObject({
      online: true,
      deployed: true,
      endpoint: '192.0.2.10:40000',
      rxBytes: '1000',
      txBytes: '2000',
      flagged: false,
    });
    expect(row.firstHandshakeAt).toBe(new Date((now - 5) * 1000).toISOString());
    expect(status.body.peers.online).toBeGreaterThanOrEqual(1);
    await api.enroll('hubnet', t.adminToken, { name: 'later' });
    const after = await t.http.get('/v1/networks/hubnet/status').set(bearer(t.adminToken)).expect(200);
    expect(after.body.hub.inSync).toBe(false);
    expectProblem(await t.http.get('/v1/networks/hubnet/status').set(bearer(agentToken)), 403, 'forbidden');
  });

  it('flags one config on two machines, audits it, and can take it off the hub', async () => {
    await t.http
      .patch('/v1/networks/hubnet')
      .set(bearer(t.adminToken))
      .send({ quarantineDuplicates: true })
      .expect(200);
    const p = await api.enroll('hubnet', t.adminToken, { name: 'copied' });
    const key = p.body.peer.publicKey;
    const before = await desired(t);
    const hosts = ['198.51.100.7:51000', '203.0.113.9:52000', '198.51.100.7:51000', '203.0.113.9:52000'];
    for (const endpoint of hosts) {
      await reportEndpoint(before.body.revision, key, endpoint);
    }
    const flagged = await t.http
      .get('/v1/networks/hubnet/status')
      .query({ flagged: 'true' })
      .set(bearer(t.adminToken))
      .expect(200);
    expect(flagged.body.items.map((x: { id: string }) => x.id)).toEqual([p.body.peer.id]);
    expect(flagged.body.items[0]).toMatchObject({ flagged: true, quarantined: true });
    expect(flagged.body.items[0].flagReason).toContain('198.51.100.7');
    const audit = await t.http
      .get('/v1/audit')
      .query({ action: 'peer.flagged-duplicate' })
      .set(bearer(t.adminToken))
      .expect(200);
    expect(audit.body.items).toHaveLength(1);
    const after = await desired(t);
    expect(BigInt(after.body.revision)).toBeGreaterThan(BigInt(before.body.revision));
    expect(after.body.peers.map((x: { publicKey: string }) => x.publicKey)).not.toContain(key);
    // An admin reissues: new keys, flag cleared, back on the hub.
    const re = await t.http.post(`/v1/peers/${p.body.peer.id}/reissue`).set(bearer(t.adminToken)).send({}).expect(201);
    const back = await desired(t);
    expect(back.body.peers.map((x: { publicKey: string }) => x.publicKey)).toContain(re.body.peer.publicKey);
  });

  it('does not flag one machine that moves once (A → B)', async () => {
    const p = await api.enroll('hubnet', t.adminToken, { name: 'travelling' });
    const state = await desired(t);
    for (const endpoint of ['192.0.2.50:1000', '192.0.2.60:1000', '192.0.2.60:1001']) {
      await reportEndpoint(state.body.revision, p.body.peer.publicKey, endpoint);
    }
    const status = await t.http
      .get('/v1/networks/hubnet/status')
      .query({ name: 'travelling' })
      .set(bearer(t.adminToken))
      .expect(200);
    expect(status.body.items[0].flagged).toBe(false);
  });

  it('flags a peer the agent saw alternating between machines in one report, and audits its hosts', async () => {
    const p = await api.enroll('hubnet', t.adminToken, { name: 'seen-by-agent' });
    const state = await desired(t);
    const peer = {
      publicKey: p.body.peer.publicKey,
      endpoint: '198.51.100.20:51820',
      latestHandshake: Math.floor(Date.now() / 1000),
      rxBytes: 1,
      txBytes: 1,
    };
    const report = (extra: Record<string, unknown>) =>
      t.http
        .post('/v1/networks/hubnet/hub/status')
        .set(bearer(agentToken))
        .send({ appliedRevision: state.body.revision, configSha256: 'd'.repeat(64), peers: [{ ...peer, ...extra }] });
    // Not an IP address, or one host only: refused, nothing recorded.
    for (const bad of [{ sourceHosts: ['198.51.100.20', 'x y'] }, { sourceHosts: ['198.51.100.20'] }, { hosts: [] }]) {
      expectProblem(await report({ duplicateSuspected: bad }), 400, 'validation-failed');
    }
    await report({}).expect(204);
    // The endpoint is the one of the last report: only the agent's signal says it alternated.
    await report({ duplicateSuspected: { sourceHosts: ['198.51.100.20', '203.0.113.20'] } }).expect(204);
    const status = await t.http
      .get('/v1/networks/hubnet/status')
      .query({ name: 'seen-by-agent' })
      .set(bearer(t.adminToken))
      .expect(200);
    expect(status.body.items[0]).toMatchObject({ flagged: true, quarantined: true });
    expect(status.body.items[0].flagReason).toBe(
      'one key seen from 198.51.100.20 and 203.0.113.20 in turn: the same config on two machines',
    );
    const events = async () => {
      const audit = await t.http
        .get('/v1/audit')
        .query({ action: 'peer.flagged-duplicate' })
        .set(bearer(t.adminToken))
        .expect(200);
      return audit.body.items.filter((e: { targetId: string }) => e.targetId === p.body.peer.id);
    };
    const first = await events();
    expect(first).toHaveLength(1);
    expect(first[0].details).toMatchObject({ sourceHosts: ['198.51.100.20', '203.0.113.20'], quarantined: true });
    // Said again: flagged once, one event.
    await report({ duplicateSuspected: { sourceHosts: ['198.51.100.20', '203.0.113.20'] } }).expect(204);
    expect(await events()).toHaveLength(1);
  });

  it('turning quarantineDuplicates on takes the peers flagged before off the hub', async () => {
    await api.createNetwork({ name: 'qnet', ipv4Cidr: '10.33.0.0/24', ipv6Cidr: 'fd00:33::/64' });
    const token = (await api.token('agent', { network: 'qnet' })).token;
    const state = async () => {
      const res = await t.http.get('/v1/networks/qnet/hub/desired-state').set(bearer(token)).expect(200);
      return res.body as { revision: string; peers: { id: string }[] };
    };
    const flaggedPeer = (await api.enroll('qnet', t.adminToken, { name: 'copied-early' })).body.peer;
    const fine = (await api.enroll('qnet', t.adminToken, { name: 'fine' })).body.peer;
    const before = await state();
    await t.http
      .post('/v1/networks/qnet/hub/status')
      .set(bearer(token))
      .send({
        appliedRevision: before.revision,
        configSha256: 'e'.repeat(64),
        peers: [
          {
            publicKey: flaggedPeer.publicKey,
            endpoint: '198.51.100.30:1',
            latestHandshake: Math.floor(Date.now() / 1000),
            rxBytes: 1,
            txBytes: 1,
            duplicateSuspected: { sourceHosts: ['198.51.100.30', '203.0.113.30'] },
          },
        ],
      })
      .expect(204);
    // Flagged while the network does not quarantine: still on the hub.
    const flagged = await state();
    expect(flagged.revision).toBe(before.revision);
    expect(flagged.peers.map((p) => p.id).sort()).toEqual([flaggedPeer.id, fine.id].sort());

    const patched = await t.http
      .patch('/v1/networks/qnet')
      .set(bearer(t.adminToken))
      .send({ quarantineDuplicates: true })
      .expect(200);
    expect(patched.body.quarantineDuplicates).toBe(true);
    const after = await state();
    expect(BigInt(after.revision)).toBeGreaterThan(BigInt(before.revision));
    expect(after.peers.map((p) => p.id)).toEqual([fine.id]);
    const status = await t.http.get('/v1/networks/qnet/status').set(bearer(t.adminToken)).expect(200);
    expect(status.body.items.find((p: { id: string }) => p.id === flaggedPeer.id)).toMatchObject({
      flagged: true,
      quarantined: true,
    });
    expect(status.body.items.find((p: { id: string }) => p.id === fine.id)).toMatchObject({ quarantined: false });
    const audit = await t.http
      .get('/v1/audit')
      .query({ action: 'network.updated' })
      .set(bearer(t.adminToken))
      .expect(200);
    expect(audit.body.items[0].details).toMatchObject({ quarantineDuplicates: true, quarantinedPeers: 1 });

    // Nothing left to take off: the same PATCH again changes no peer and no revision.
    await t.http.patch('/v1/networks/qnet').set(bearer(t.adminToken)).send({ quarantineDuplicates: true }).expect(200);
    expect((await state()).revision).toBe(after.revision);
  });
});

describe('the agent, writing files only (--apply none)', () => {
  it('registers its key, writes the hub file atomically (0600) and follows changes', async () => {
    await api.createNetworkWithoutHub({ name: 'agentnet', ipv4Cidr: '10.32.0.0/24' });
    const token = (await api.token('agent', { network: 'agentnet' })).token;
    const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-agent-'));
    const logs: unknown[] = [];
    const logger = {
      log: (m: unknown) => logs.push(m),
      warn: (m: unknown) => logs.push(m),
      error: (m: unknown) => logs.push(m),
    };
    const agent = new HubAgent(
      { apiUrl: t.url, token, network: 'agentnet', iface: 'wgtest0', configDir: dir, apply: 'none', waitS: 5 },
      logger,
    );
    try {
      const publicKey = await agent.register();
      expect(publicKey).toBe((await ensureHubKey(dir, 'wgtest0')).publicKey);
      const network = await t.http.get('/v1/networks/agentnet').set(bearer(t.adminToken)).expect(200);
      expect(network.body.hubPublicKey).toBe(publicKey);
      agent.start();
      const p = await api.enroll('agentnet', t.adminToken, { name: 'n1\u00a0(office)' });
      const file = join(dir, 'wgtest0.conf');
      const deadline = Date.now() + 5000;
      let text = '';
      while (Date.now() < deadline) {
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          text = '';
        }
        if (text.includes(p.body.peer.publicKey)) {
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(text).toContain(`PublicKey = ${p.body.peer.publicKey}`);
      expect(text).toMatch(/^PrivateKey = /m);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'wgtest0.key')).mode & 0o777).toBe(0o600);
      // The agent reports after it wrote the file: wait for the report rather than race it.
      let status = await t.http.get('/v1/networks/agentnet/status').set(bearer(t.adminToken)).expect(200);
      for (let i = 0; i < 50 && status.body.hub.inSync !== true; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await t.http.get('/v1/networks/agentnet/status').set(bearer(t.adminToken)).expect(200);
      }
      expect(status.body.hub.inSync).toBe(true);

      // A burst is coalesced: 150 enrollments at once are not 150 writes.
      const writesBefore = agent.writes;
      const burst = await Promise.all(
        Array.from({ length: 150 }, (_, i) => api.enroll('agentnet', t.adminToken, { name: `burst-${i}` })),
      );
      const last = burst.map((r) => r.body.peer.publicKey);
      const until = Date.now() + 10_000;
      while (Date.now() < until && !last.every((k) => readFileSync(file, 'utf8').includes(k))) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const final = readFileSync(file, 'utf8');
      expect(last.every((k) => final.includes(k))).toBe(true);
      expect(final.match(/^\[Peer\]$/gm)).toHaveLength(151);
      expect(agent.writes - writesBefore).toBeLessThanOrEqual(20);
    } finally {
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('status reports beside revokes and enrollments', () => {
  it('never deadlock: every report, revoke and enrollment succeeds (one lock order: peers, then the network)', async () => {
    await api.createNetwork({ name: 'locknet', ipv4Cidr: '10.31.0.0/24', ipv6Cidr: 'fd00:31::/64' });
    const token = (await api.token('agent', { network: 'locknet' })).token;
    const peers: { id: string; publicKey: string }[] = [];
    for (let i = 0; i < 40; i++) {
      peers.push((await api.enroll('locknet', t.adminToken, { name: `lock-${i}` })).body.peer);
    }
    const report = (round: number) =>
      t.http
        .post('/v1/networks/locknet/hub/status')
        .set(bearer(token))
        .send({
          appliedRevision: '1',
          configSha256: 'd'.repeat(64),
          // Reverse order every other round, so the rows are met in both orders.
          peers: (round % 2 ? [...peers].reverse() : peers).map((p, i) => ({
            publicKey: p.publicKey,
            endpoint: `192.0.2.${(round + i) % 250}:${40000 + round}`,
            latestHandshake: Math.floor(Date.now() / 1000),
            rxBytes: round,
            txBytes: round,
          })),
        });
    const results = await Promise.all([
      ...Array.from({ length: 30 }, (_, round) => report(round).then((r) => `report ${r.status}`)),
      ...peers.slice(0, 20).map((p) =>
        t.http
          .delete(`/v1/peers/${p.id}`)
          .set(bearer(t.adminToken))
          .then((r) => `revoke ${r.status}`),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        api.enroll('locknet', t.adminToken, { name: `lock-new-${i}` }).then((r) => `enroll ${r.status}`),
      ),
    ]);
    expect(results.filter((r) => !/^(report 204|revoke 200|enroll 201)$/.test(r))).toEqual([]);
  });
});

describe('a config answer waits until the hub has the peer', () => {
  /** A file-mode agent of a new network on `t`, started and reported once (so it counts as reporting). */
  async function runningAgent(name: string, cidr: string) {
    await api.createNetworkWithoutHub({ name, ipv4Cidr: cidr });
    const token = (await api.token('agent', { network: name })).token;
    const dir = mkdtempSync(join(tmpdir(), 'wg-enroll-agent-'));
    const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const agent = new HubAgent(
      { apiUrl: t.url, token, network: name, iface: 'wgwait0', configDir: dir, apply: 'none', waitS: 5 },
      quiet,
    );
    await agent.register();
    agent.start();
    for (let i = 0; i < 100 && agent.appliedRevision === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await agent.report();
    const file = () => readFileSync(join(dir, 'wgwait0.conf'), 'utf8');
    const close = async () => {
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    };
    return { agent, file, close };
  }

  it('enrollment, reissue and claim on another API process answer once the hub file has the peer', async () => {
    const hub = await runningAgent('waitnet', '10.34.0.0/24');
    const onReplica = new Api(replica);
    try {
      for (let i = 0; i < 10; i++) {
        const p = await onReplica.enroll('waitnet', t.adminToken, { name: `wait-${i}` });
        expect(p.status).toBe(201);
        expect(p.body.hub.applied).toBe(true);
        expect(p.headers['hub-applied']).toBe('true');
        // The agent writes the file before it reports: the answer came after the hub had the peer.
        expect(hub.file()).toContain(`PublicKey = ${p.body.peer.publicKey}`);
        expect(BigInt(hub.agent.appliedRevision!)).toBeGreaterThanOrEqual(BigInt(p.body.hub.revision));
      }

      const asText = await onReplica.enroll('waitnet', t.adminToken, { name: 'wait-text' }, 'text/plain');
      expect(asText.status).toBe(201);
      expect(asText.headers['hub-applied']).toBe('true');
      const address = /^Address = ([\d.]+)\/\d+/m.exec(asText.text)?.[1];
      expect(address, asText.text).toBeDefined();
      expect(hub.file()).toMatch(new RegExp(`^AllowedIPs = ${address!.replaceAll('.', '\\.')}/32`, 'm'));

      const link = await onReplica.enroll('waitnet', t.adminToken, { name: 'wait-link', delivery: 'link' });
      expect(link.body.hub).toEqual({ applied: false, revision: null });
      expect(hub.file()).not.toContain(link.body.peer.publicKey);
      const claimed = await onReplica.claim(link.body.claim.url);
      expect(claimed.status).toBe(200);
      expect(claimed.body.hub.applied).toBe(true);
      expect(claimed.headers['hub-applied']).toBe('true');
      expect(hub.file()).toContain(`PublicKey = ${link.body.peer.publicKey}`);

      const reissued = await replica.http
        .post(`/v1/peers/${link.body.peer.id}/reissue`)
        .set(bearer(t.adminToken))
        .send({})
        .expect(201);
      rememberSecretsIn(reissued.body);
      expect(reissued.body.hub.applied).toBe(true);
      expect(reissued.headers['hub-applied']).toBe('true');
      expect(hub.file()).toContain(`PublicKey = ${reissued.body.peer.publicKey}`);
      expect(hub.file()).not.toContain(`PublicKey = ${link.body.peer.publicKey}`);
    } finally {
      await hub.close();
    }
  });

  it('waits at most HUB_APPLY_WAIT for an agent that stopped, answers at once with 0 or without an agent', async () => {
    const hub = await runningAgent('stallnet', '10.35.0.0/24');
    await hub.close(); // reported a moment ago, so it still counts as reporting: the answer waits
    const short = await startTestApp({ HUB_APPLY_WAIT: '400ms' }, { databaseUrl: t.databaseUrl });
    const off = await startTestApp({ HUB_APPLY_WAIT: '0' }, { databaseUrl: t.databaseUrl });
    try {
      let started = Date.now();
      const waited = await new Api(short).enroll('stallnet', t.adminToken, { name: 'stalled' });
      const elapsed = Date.now() - started;
      expect(waited.status).toBe(201);
      expect(waited.body.hub.applied).toBe(false);
      expect(waited.headers['hub-applied']).toBe('false');
      expect(elapsed).toBeGreaterThanOrEqual(400);

      const atOnce = await new Api(off).enroll('stallnet', t.adminToken, { name: 'no-wait' });
      expect(atOnce.body.hub).toEqual({ applied: false, revision: null });

      // A network whose agent never reported: nothing to wait for.
      await api.createNetwork({ name: 'noagentnet', ipv4Cidr: '10.36.0.0/24' });
      started = Date.now();
      const noAgent = await api.enroll('noagentnet', t.adminToken, { name: 'no-agent' });
      expect(noAgent.body.hub).toEqual({ applied: false, revision: null });
      expect(Date.now() - started).toBeLessThan(400);
    } finally {
      await short.close();
      await off.close();
    }
  });
});
