import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/domain/keys/x25519';
import { bearer, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { rowCounts } from '../support/db';

/**
 * Keys that cannot work are refused: the hub's own key as a peer key, a hub key that a live
 * peer holds, and a key that differs from a live one only in the top bit (RFC 7748 masks it:
 * the same curve point, the same peer to WireGuard).
 */

/** The same key with the top bit of its last byte set. */
function withTopBit(key: string): string {
  const bytes = Buffer.from(key, 'base64');
  bytes[31] |= 0x80;
  return bytes.toString('base64');
}

describe('keys that cannot work', () => {
  it('refuses the hub key as a peer key, a peer key as the hub key, and top-bit twins', async () => {
    const t = await startTestApp();
    try {
      const api = new Api(t);
      const hub = generateKeyPair().publicKey;
      await api.createNetwork({ name: 'keys', ipv4Cidr: '10.91.0.0/24', hubPublicKey: hub });
      const enroll = (publicKey: string, name: string) =>
        t.http
          .post('/v1/networks/keys/peers')
          .set(bearer(t.adminToken))
          .send({ name, publicKey, delivery: 'inline' })
          .then((res) => {
            rememberSecretsIn(res.body);
            return res;
          });
      const before = await rowCounts(t.sql);
      expectProblem(await enroll(hub, 'hub-twin'), 409, 'public-key-is-hub-key');
      expectProblem(await enroll(withTopBit(hub), 'hub-twin-2'), 409, 'public-key-is-hub-key');
      expect(await rowCounts(t.sql)).toEqual(before);

      const device = generateKeyPair().publicKey;
      const first = await enroll(device, 'device');
      expect(first.status).toBe(201);
      const afterFirst = await rowCounts(t.sql);
      expectProblem(await enroll(withTopBit(device), 'device-twin'), 409, 'public-key-in-use');
      expect(await rowCounts(t.sql)).toEqual(afterFirst);

      for (const key of [device, withTopBit(device)]) {
        const res = await t.http
          .put('/v1/networks/keys/hub')
          .set(bearer(t.adminToken))
          .send({ publicKey: key, replaceKey: true });
        expectProblem(res, 409, 'hub-key-in-use');
      }
      const network = await t.sql.query<{ k: string }>("SELECT hub_public_key AS k FROM network WHERE name = 'keys'");
      expect(network.rows[0].k).toBe(hub);
      expect(await rowCounts(t.sql)).toEqual(afterFirst);
      // A key stored with the top bit set is stored in its canonical form.
      const other = generateKeyPair().publicKey;
      const twin = await enroll(withTopBit(other), 'stored-canonical');
      expect(twin.status).toBe(201);
      const stored = await t.sql.query<{ k: string }>(
        "SELECT public_key AS k FROM peer WHERE name = 'stored-canonical'",
      );
      expect(stored.rows[0].k).toBe(other);
    } finally {
      await t.close();
    }
  });
});

/**
 * The hub key and the live peers' keys of a network are one set in the database: a hub key
 * equal to a live peer's key is refused even when the two requests race past the service's
 * checks. Each race is made certain, not hoped for: a test transaction holds the network row
 * against updates (FOR NO KEY UPDATE: foreign-key checks still pass), so the first request
 * stops at its update of that row (the hub key, or an enrollment's revision bump at commit),
 * holding what it wrote, until the second one has met it.
 */
describe('a hub key and a live peer key never meet, even in a race', () => {
  const enroll = (t: TestApp, network: string, publicKey: string, name: string, credential = t.adminToken) =>
    t.http
      .post(`/v1/networks/${network}/peers`)
      .set(bearer(credential))
      .send({ name, publicKey, delivery: 'inline' })
      .then((res) => {
        rememberSecretsIn(res.body);
        return res;
      });
  const putHub = (t: TestApp, network: string, publicKey: string) =>
    t.http
      .put(`/v1/networks/${network}/hub`)
      .set(bearer(t.adminToken))
      .send({ publicKey, replaceKey: true })
      .then((res) => res);

  /** Backends of this database waiting for a lock (pg_stat_activity, read fresh each time). */
  async function waitForLockWaiters(watch: Client, count: number): Promise<void> {
    for (;;) {
      const { rows } = await watch.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (rows[0].n >= count) {
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Live peers of the network whose key is the network's hub key (must stay 0). */
  const clashes = async (t: TestApp, network: string) =>
    Number(
      (
        await t.sql.query(
          `SELECT count(*) FROM peer p JOIN network n ON n.id = p.network_id
           WHERE n.name = $1 AND p.public_key = n.hub_public_key AND p.status IN ('pending', 'active')`,
          [network],
        )
      ).rows[0].count,
    );

  async function race(first: 'hub' | 'peer') {
    const t = await startTestApp();
    const hold = new Client({ connectionString: t.databaseUrl });
    const watch = new Client({ connectionString: t.databaseUrl });
    await hold.connect();
    await watch.connect();
    try {
      const name = `race-${first}`;
      const api = new Api(t);
      await api.createNetwork({ name, ipv4Cidr: '10.92.0.0/24' });
      const enrollmentKey = await api.enrollmentKey(name);
      const key = generateKeyPair().publicKey;
      await hold.query('BEGIN');
      // The first request does its writes and stops at what is held: a hub registration at the
      // network row it updates; an enrollment with an enrollment key at the key's use, the last
      // statement of its transaction (after its peer is written; FOR NO KEY UPDATE lets the peer's
      // foreign-key check on the key pass); the second passes the
      // service's check (nothing committed yet) and meets the first one's key.
      if (first === 'hub') {
        await hold.query('SELECT id FROM network WHERE name = $1 FOR NO KEY UPDATE', [name]);
      } else {
        await hold.query(
          'SELECT k.id FROM enrollment_key k JOIN network n ON n.id = k.network_id WHERE n.name = $1 FOR NO KEY UPDATE',
          [name],
        );
      }
      const a = first === 'hub' ? putHub(t, name, key) : enroll(t, name, key, 'racer', enrollmentKey);
      await waitForLockWaiters(watch, 1);
      const b = first === 'hub' ? enroll(t, name, key, 'racer') : putHub(t, name, key);
      await waitForLockWaiters(watch, 2);
      await hold.query('ROLLBACK');
      const [ra, rb] = await Promise.all([a, b]);
      expect(ra.status, JSON.stringify(ra.body)).toBe(first === 'hub' ? 200 : 201);
      expectProblem(rb, 409, first === 'hub' ? 'public-key-is-hub-key' : 'hub-key-in-use');
      expect(await clashes(t, name)).toBe(0);
    } finally {
      await hold.end();
      await watch.end();
      await t.close();
    }
  }

  it('a peer enrolling with the key a hub registration is committing is refused (public-key-is-hub-key)', () =>
    race('hub'));

  it('a hub key that an enrollment is committing is refused (hub-key-in-use)', () => race('peer'));

  it('two concurrent requests, again and again: never both, and no live peer holds the hub key', async () => {
    const t = await startTestApp();
    try {
      await new Api(t).createNetwork({ name: 'race-free', ipv4Cidr: '10.93.0.0/24' });
      for (let i = 0; i < 10; i++) {
        const key = generateKeyPair().publicKey;
        const [hub, peer] = await Promise.all([putHub(t, 'race-free', key), enroll(t, 'race-free', key, `free-${i}`)]);
        const won = [hub.status, peer.status].filter((s) => s < 300).length;
        expect(won, `${hub.status} ${peer.status}`).toBe(1);
        expect([hub.status, peer.status].filter((s) => s === 409)).toHaveLength(1);
        expect(await clashes(t, 'race-free')).toBe(0);
      }
    } finally {
      await t.close();
    }
  });
});
