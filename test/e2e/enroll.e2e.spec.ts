import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { rowCounts } from '../support/db';

let t: TestApp;
let api: Api;

beforeAll(async () => {
  t = await startTestApp();
  api = new Api(t);
});
afterAll(() => t?.close());

describe('enrollment (invariant 1: unique addresses)', () => {
  it('gives 200 concurrent enrollments 200 distinct IPv4, IPv6 addresses and public keys', async () => {
    await api.createNetwork({ name: 'conc', ipv4Cidr: '10.50.0.0/24', ipv6Cidr: 'fd00:50::/64' });
    const key = await api.enrollmentKey('conc', { maxUses: 200 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => api.enroll('conc', key, { name: `node-${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(201));
    const peers = results.map((r) => r.body.peer);
    expect(new Set(peers.map((p) => p.ipv4)).size).toBe(200);
    expect(new Set(peers.map((p) => p.ipv6)).size).toBe(200);
    expect(new Set(peers.map((p) => p.publicKey)).size).toBe(200);
    for (const p of peers) {
      expect(['10.50.0.0', '10.50.0.1', '10.50.0.255']).not.toContain(p.ipv4);
      // The documented IPv6 rule: the IPv4 host number is the interface identifier.
      expect(p.ipv6).toBe(`fd00:50::${Number(p.ipv4.split('.')[3]).toString(16)}`);
    }
    const db = await t.sql.query(
      `SELECT count(*)::int AS n, count(DISTINCT ipv4)::int AS v4, count(DISTINCT ipv6)::int AS v6, count(DISTINCT public_key)::int AS k
       FROM peer p JOIN network n ON n.id = p.network_id WHERE n.name = 'conc'`,
    );
    expect(db.rows[0]).toEqual({ n: 200, v4: 200, v6: 200, k: 200 });
    const key2 = await t.sql.query(`SELECT uses FROM enrollment_key WHERE prefix = $1`, [`${key.slice(0, 12)}…`]);
    expect(key2.rows[0].uses).toBe(200);
  });

  it('fills a /29 and then answers pool-exhausted with nothing half-created', async () => {
    await api.createNetwork({ name: 'tiny', ipv4Cidr: '10.60.0.0/29', ipv6Cidr: 'fd00:60::/64' });
    const key = await api.enrollmentKey('tiny', { maxUses: 10 });
    // Hosts .2 to .6: the network (.0), hub (.1) and broadcast (.7) addresses are never leased.
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => api.enroll('tiny', key, { name: `n${i}` })));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(results.map((r) => r.body.peer.ipv4).sort()).toEqual([
      '10.60.0.2',
      '10.60.0.3',
      '10.60.0.4',
      '10.60.0.5',
      '10.60.0.6',
    ]);
    const before = await rowCounts(t.sql);
    const full = await api.enroll('tiny', key, { name: 'one-too-many' });
    expectProblem(full, 409, 'pool-exhausted');
    expect(await rowCounts(t.sql)).toEqual(before);
  });

  it('lets an admin pin a free address and refuses taken or out-of-range ones', async () => {
    await api.createNetwork({ name: 'pin', ipv4Cidr: '10.70.0.0/24' });
    const ok = await api.enroll('pin', t.adminToken, { name: 'pinned', address: '10.70.0.42' });
    expect(ok.status).toBe(201);
    expect(ok.body.peer.ipv4).toBe('10.70.0.42');
    expect(ok.body.peer.ipv6).toBeNull();
    const requester = await api.token('requester');
    const before = await rowCounts(t.sql);
    const refused: [string, number, string][] = [
      ['10.70.0.42', 409, 'address-unavailable'], // taken
      ['10.70.0.1', 400, 'address-out-of-range'], // the hub
      ['10.70.0.255', 400, 'address-out-of-range'], // broadcast
      ['10.71.0.5', 400, 'address-out-of-range'], // another network
      ['10.70.0.999', 400, 'validation-failed'], // not an address
    ];
    for (const [address, status, code] of refused) {
      expectProblem(await api.enroll('pin', t.adminToken, { name: 'refused', address }), status, code);
    }
    expectProblem(await api.enroll('pin', requester.token, { name: 'r', address: '10.70.0.43' }), 403, 'forbidden');
    expect(await rowCounts(t.sql)).toEqual(before);
  });

  it('returns the bare .conf for Accept: text/plain, with a file name wg-quick accepts', async () => {
    const res = await api.enroll('default', t.adminToken, { name: 'My Laptop (home)' }, 'text/plain');
    expect(res.status).toBe(201);
    expect(res.type).toBe('text/plain');
    const filename = /filename="([^"]+)"/.exec(res.headers['content-disposition'])![1];
    expect(filename).toMatch(/^[a-zA-Z0-9_=+.-]{1,15}\.conf$/);
    expect(res.text).toMatch(
      /^\[Interface\]\nPrivateKey = [A-Za-z0-9+/]{43}=\nAddress = 172\.22\.2\.\d+\/24, fd4e:6fb7:b3af::[0-9a-f]+\/64\n/,
    );
    expect(res.text).toContain('PersistentKeepalive = 30');
    expect(res.text).toContain('AllowedIPs = 172.22.2.0/24, fd4e:6fb7:b3af::/64');
  });

  it('answers hub-not-registered, leasing nothing, until the hub key is known', async () => {
    await t.http
      .post('/v1/networks')
      .set(bearer(t.adminToken))
      .send({ name: 'nohub', ipv4Cidr: '10.80.0.0/24', endpoint: 'hub.example.org:51820' })
      .expect(201);
    const before = await rowCounts(t.sql);
    expectProblem(await api.enroll('nohub', t.adminToken, { name: 'early' }), 409, 'hub-not-registered');
    expect(await rowCounts(t.sql)).toEqual(before);
    const agent = await api.token('agent', { network: 'nohub' });
    const hubKey = 'LqnPQQ9L1Q4zmxwYIkuOcYK0JtP0ZN4KCaf4pnDs/XQ=';
    const put = await t.http.put('/v1/networks/nohub/hub').set(bearer(agent.token)).send({ publicKey: hubKey });
    expect(put.status).toBe(200);
    expect(put.body.hubPublicKey).toBe(hubKey);
    const other = await t.http
      .put('/v1/networks/nohub/hub')
      .set(bearer(agent.token))
      .send({ publicKey: 'HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=' });
    expectProblem(other, 409, 'hub-key-change-refused');
    expect((await api.enroll('nohub', t.adminToken, { name: 'now' })).status).toBe(201);
  });
});
