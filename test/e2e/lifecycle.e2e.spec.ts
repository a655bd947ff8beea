import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { ExpirySweeper } from '../../src/peers/expiry.sweeper';

let t: TestApp;
let api: Api;

beforeAll(async () => {
  t = await startTestApp({ LEASE_COOLDOWN: '2s' });
  api = new Api(t);
  await api.createNetwork({ name: 'life', ipv4Cidr: '10.90.0.0/29', ipv6Cidr: 'fd00:90::/64' });
});
afterAll(() => t?.close());

async function revision(network = 'life'): Promise<bigint> {
  const res = await t.http.get(`/v1/networks/${network}`).set(bearer(t.adminToken)).expect(200);
  return BigInt(res.body.revision);
}

async function liveKeys(network = 'life'): Promise<string[]> {
  const rows = await t.sql.query(
    `SELECT public_key FROM peer p JOIN network n ON n.id = p.network_id WHERE n.name = $1 AND p.status = 'active' ORDER BY 1`,
    [network],
  );
  return rows.rows.map((r) => r.public_key);
}

describe('peer lifecycle', () => {
  it('bumps the revision on every change of the desired state, and only then', async () => {
    const r0 = await revision();
    const a = await api.enroll('life', t.adminToken, { name: 'a' });
    const r1 = await revision();
    expect(r1).toBeGreaterThan(r0);
    const link = await api.enroll('life', t.adminToken, { name: 'pending', delivery: 'link' });
    expect(await revision()).toBe(r1); // a pending peer is not on the hub yet
    await api.claim(link.body.claim.url);
    const r2 = await revision();
    expect(r2).toBeGreaterThan(r1);
    await t.http.get(`/v1/peers/${a.body.peer.id}`).set(bearer(t.adminToken)).expect(200);
    expect(await revision()).toBe(r2); // reading changes nothing
    expect(await liveKeys()).toEqual([a.body.peer.publicKey, link.body.peer.publicKey].sort());
  });

  it('revokes: off the desired state, address cools down before reuse, lease history kept', async () => {
    const p = await api.enroll('life', t.adminToken, { name: 'to-revoke' });
    const r0 = await revision();
    const res = await t.http.delete(`/v1/peers/${p.body.peer.id}`).set(bearer(t.adminToken));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('revoked');
    expect(res.body.revokedAt).not.toBeNull();
    expect(await revision()).toBeGreaterThan(r0);
    expect(await liveKeys()).not.toContain(p.body.peer.publicKey);
    // Revoking again is idempotent: same answer, no second change.
    const r1 = await revision();
    const again = await t.http.delete(`/v1/peers/${p.body.peer.id}`).set(bearer(t.adminToken));
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(res.body.revokedAt);
    expect(await revision()).toBe(r1);
    // The /29 has 5 hosts; 3 are held. Two free ones get used, the revoked one is cooling.
    const taken = [
      await api.enroll('life', t.adminToken, { name: 'f1' }),
      await api.enroll('life', t.adminToken, { name: 'f2' }),
    ];
    expect(taken.map((x) => x.status)).toEqual([201, 201]);
    expect(taken.map((x) => x.body.peer.ipv4)).not.toContain(p.body.peer.ipv4);
    expectProblem(await api.enroll('life', t.adminToken, { name: 'f3' }), 409, 'pool-exhausted');
    await new Promise((r) => setTimeout(r, 2100));
    const reused = await api.enroll('life', t.adminToken, { name: 'f3' });
    expect(reused.status).toBe(201);
    expect(reused.body.peer.ipv4).toBe(p.body.peer.ipv4);
    const history = await t.sql.query(
      'SELECT owner_id, released_at FROM lease WHERE host_number = $1 AND ipv4 = $2 ORDER BY leased_at',
      [Number(p.body.peer.ipv4.split('.')[3]), p.body.peer.ipv4],
    );
    expect(history.rows).toHaveLength(2);
    expect(history.rows[0].released_at).not.toBeNull();
    expect(history.rows[1].released_at).toBeNull();
    // Clean up for the next test: revoke the three fillers.
    for (const x of [...taken, reused]) {
      await t.http.delete(`/v1/peers/${x.body.peer.id}`).set(bearer(t.adminToken)).expect(200);
    }
  });

  it('reissues: new keys and a one-time config; the old key leaves the desired state', async () => {
    await api.createNetwork({ name: 'reissue', ipv4Cidr: '10.91.0.0/24' });
    const p = await api.enroll('reissue', t.adminToken, { name: 'rk' });
    const oldKey = p.body.peer.publicKey;
    const r0 = await revision('reissue');
    const res = await t.http.post(`/v1/peers/${p.body.peer.id}/reissue`).set(bearer(t.adminToken)).send({});
    expect(res.status).toBe(201);
    expect(res.body.peer.publicKey).not.toBe(oldKey);
    expect(res.body.peer.ipv4).toBe(p.body.peer.ipv4);
    expect(res.body.config.text).toMatch(/PrivateKey = /);
    expect(res.body.config.text).not.toContain(p.body.config.text.match(/PrivateKey = (.*)/)[1]);
    expect(await revision('reissue')).toBeGreaterThan(r0);
    expect(await liveKeys('reissue')).toEqual([res.body.peer.publicKey]);
    const linked = await t.http
      .post(`/v1/peers/${p.body.peer.id}/reissue`)
      .set(bearer(t.adminToken))
      .send({ delivery: 'link' });
    expect(linked.status).toBe(201);
    expect(linked.body.peer.status).toBe('pending');
    expect(await liveKeys('reissue')).toEqual([]); // the served key left; the new one waits for its claim
    const audit = await t.http.get('/v1/audit').query({ target: p.body.peer.id }).set(bearer(t.adminToken)).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'peer.reissued',
      'peer.reissued',
      'peer.enrolled',
    ]);
  });

  it('expires a peer at expiresAt on its own', async () => {
    await api.createNetwork({ name: 'expiry', ipv4Cidr: '10.92.0.0/24' });
    const p = await api.enroll('expiry', t.adminToken, {
      name: 'short',
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    expect(p.status).toBe(201);
    expect(await liveKeys('expiry')).toEqual([p.body.peer.publicKey]);
    const r0 = await revision('expiry');
    await new Promise((r) => setTimeout(r, 1600));
    expect(await t.app.get(ExpirySweeper).sweep()).toEqual([p.body.peer.id]);
    expect(await t.app.get(ExpirySweeper).sweep()).toEqual([]); // once per change
    expect(await liveKeys('expiry')).toEqual([]);
    expect(await revision('expiry')).toBeGreaterThan(r0);
    const audit = await t.http
      .get('/v1/audit')
      .query({ target: p.body.peer.id, action: 'peer.expired' })
      .set(bearer(t.adminToken));
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].details.reason).toBe('expiresAt');
    expectProblem(
      await api.enroll('expiry', t.adminToken, { name: 'past', expiresAt: '2020-01-01T00:00:00Z' }),
      400,
      'validation-failed',
    );
  });

  it('lets requesters see and act on their own peers only', async () => {
    await api.createNetwork({ name: 'owners', ipv4Cidr: '10.93.0.0/24' });
    const alice = await api.token('requester');
    const bob = await api.token('requester');
    const a = await api.enroll('owners', alice.token, { name: 'alice-1' });
    const b = await api.enroll('owners', bob.token, { name: 'bob-1' });
    expect([a.status, b.status]).toEqual([201, 201]);
    const list = await t.http.get('/v1/networks/owners/peers').set(bearer(alice.token)).expect(200);
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(['alice-1']);
    expectProblem(await t.http.get(`/v1/peers/${b.body.peer.id}`).set(bearer(alice.token)), 404, 'peer-not-found');
    expectProblem(await t.http.delete(`/v1/peers/${b.body.peer.id}`).set(bearer(alice.token)), 404, 'peer-not-found');
    expectProblem(
      await t.http.post(`/v1/peers/${b.body.peer.id}/reissue`).set(bearer(alice.token)).send({}),
      404,
      'peer-not-found',
    );
    expect((await t.http.delete(`/v1/peers/${a.body.peer.id}`).set(bearer(alice.token))).status).toBe(200);
    expectProblem(
      await t.http.post('/v1/tokens').set(bearer(alice.token)).send({ name: 'x', role: 'admin' }),
      403,
      'forbidden',
    );
    const admin = await t.http.get('/v1/networks/owners/peers').set(bearer(t.adminToken)).expect(200);
    expect(admin.body.items).toHaveLength(2);
  });

  it('pages through peers with a cursor and filters by status and name', async () => {
    await api.createNetwork({ name: 'paging', ipv4Cidr: '10.94.0.0/24' });
    for (let i = 0; i < 7; i++) {
      await api.enroll('paging', t.adminToken, { name: i % 2 ? `odd-${i}` : `Even-${i}` });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { name: string }[]; nextCursor: string | null } } = await t.http
        .get('/v1/networks/paging/peers')
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .set(bearer(t.adminToken))
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((p: { name: string }) => p.name));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const even = await t.http
      .get('/v1/networks/paging/peers')
      .query({ name: 'even' })
      .set(bearer(t.adminToken))
      .expect(200);
    expect(even.body.items).toHaveLength(4);
    const revoked = await t.http
      .get('/v1/networks/paging/peers')
      .query({ status: 'revoked' })
      .set(bearer(t.adminToken))
      .expect(200);
    expect(revoked.body.items).toHaveLength(0);
    expectProblem(
      await t.http.get('/v1/networks/paging/peers').query({ cursor: 'garbage' }).set(bearer(t.adminToken)),
      400,
      'validation-failed',
    );
    for (const p of even.body.items) {
      expect(Object.keys(p)).not.toContain('presharedKey');
      expect(JSON.stringify(p)).not.toMatch(/private|preshared/i);
    }
  });
});
