import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../support/db';
import { buildDist, HUB_KEY, newAdminToken, pool, report, startReplica, type Replica } from '../support/replica';
import { apiClient, claimTokenOf, createEnrollmentKey, createNetwork, createToken } from '../support/api';
import type { RequestBody } from '../../src/contract';

/**
 * The production shape: two real API processes (`wg-enroll serve`, as replicas behind a load
 * balancer run) on one Postgres, driven together. Sweeps run every 100 ms on both, so periodic
 * work racing between replicas is exercised all the time.
 */
let database: { url: string; drop: () => Promise<void> };
let adminToken: string;
let one: Replica;
let two: Replica;
let sql: Client;

beforeAll(async () => {
  buildDist();
  database = await cloneDatabase();
  adminToken = newAdminToken();
  // A pool as large as each replica's share of the concurrency (64 over two): the proof is about
  // duplicates, not about queueing for connections on a loaded 2-core machine (that wait is
  // bounded and answered 503, see the outage drill).
  const env = { SWEEP_INTERVAL: '100ms', DATABASE_POOL_SIZE: '32' };
  [one, two] = await Promise.all([
    startReplica(database.url, adminToken, env),
    startReplica(database.url, adminToken, env),
  ]);
  sql = new Client({ connectionString: database.url });
  await sql.connect();
}, 180_000);

afterAll(async () => {
  await sql?.end();
  const codes = await Promise.all([one?.stop(), two?.stop()]);
  await database?.drop();
  expect(codes).toEqual([0, 0]);
});

const replica = (i: number) => (i % 2 ? two : one).url;
/** The admin's typed client on one replica. */
const admin = (url: string) => apiClient(url, adminToken);

/** A network (with a hub key, so enrolling works at once), made through replica 1; 201 or it throws. */
async function network(name: string, ipv4Cidr: string, ipv6Cidr: string): Promise<void> {
  await createNetwork(admin(one.url), { name, ipv4Cidr, ipv6Cidr, hubPublicKey: HUB_KEY });
}

/** POST …/peers on replica `url` as `credential`: the answer whatever its status. */
function enroll(
  url: string,
  credential: string,
  network: string,
  body: RequestBody<'/v1/networks/{network}/peers', 'post'>,
) {
  return apiClient(url, credential).POST('/v1/networks/{network}/peers', { params: { path: { network } }, body });
}

/** The hub's desired state on replica `url`; with `etag` and `wait`, a long-poll for the next change. */
function desiredState(url: string, credential: string, network: string, etag?: string, wait?: number) {
  return apiClient(url, credential).GET('/v1/networks/{network}/hub/desired-state', {
    params: {
      path: { network },
      query: wait === undefined ? {} : { wait },
      header: etag === undefined ? {} : { 'If-None-Match': etag },
    },
  });
}

describe('two API processes on one database', () => {
  it('1,000 enrollments spread over both at concurrency 64: no duplicate address or key', async () => {
    await network('scale', '10.60.0.0/22', 'fd00:60::/64');
    const { key } = await createEnrollmentKey(admin(two.url), 'scale', { maxUses: 1000 });
    const started = Date.now();
    const results = await pool(1000, 64, (i) => enroll(replica(i), key, 'scale', { name: `n-${i}` }));
    const seconds = (Date.now() - started) / 1000;
    report(`[replicas] 1000 enrollments over 2 processes at c=64: ${seconds.toFixed(1)} s`);
    const statuses = results.map((r) => r.response.status);
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    const counts = await sql.query(
      `SELECT count(*)::int AS n, count(DISTINCT p.ipv4)::int AS v4, count(DISTINCT p.ipv6)::int AS v6,
              count(DISTINCT p.public_key)::int AS keys, count(DISTINCT p.host_number)::int AS hosts,
              count(l.peer_id)::int AS leased
       FROM peer p JOIN network n ON n.id = p.network_id
       LEFT JOIN lease l ON l.peer_id = p.id AND l.released_at IS NULL
       WHERE n.name = 'scale'`,
    );
    expect(counts.rows[0]).toEqual({ n: 1000, v4: 1000, v6: 1000, keys: 1000, hosts: 1000, leased: 1000 });
    // A leased host is no longer free: the two sets do not meet.
    const overlap = await sql.query(
      `SELECT count(*)::int AS n FROM free_address f JOIN peer p
         ON p.network_id = f.network_id AND p.host_number = f.host_number
       JOIN network n ON n.id = p.network_id WHERE n.name = 'scale'`,
    );
    expect(overlap.rows[0].n).toBe(0);
    const uses = await sql.query(`SELECT uses FROM enrollment_key WHERE max_uses = 1000`);
    expect(uses.rows[0].uses).toBe(1000);
    // Both replicas did the work.
    expect(one.process.output()).toContain('"path":"/v1/networks/:network/peers"');
    expect(two.process.output()).toContain('"path":"/v1/networks/:network/peers"');
  }, 240_000);

  it('50 redemptions of one claim spread over both: exactly one 200', async () => {
    const link = await enroll(one.url, adminToken, 'scale', { name: 'one-claim', delivery: 'link' });
    expect(link.response.status).toBe(201);
    const claimToken = claimTokenOf(link.data!.claim!.url);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        apiClient(replica(i), undefined).POST('/v1/claims/{claimToken}', { params: { path: { claimToken } } }),
      ),
    );
    expect(results.filter((r) => r.response.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.response.status === 410)).toHaveLength(49);
    const served = await sql.query(`SELECT private_key_enc IS NULL AS wiped FROM peer WHERE name = 'one-claim'`);
    expect(served.rows[0].wiped).toBe(true);
  }, 60_000);

  it('an agent long-polling replica 1 wakes within 1 s of an enrollment on replica 2', async () => {
    await network('wake', '10.61.0.0/24', 'fd00:61::/64');
    const agent = await createToken(admin(one.url), { name: 'hub', role: 'agent', network: 'wake' });
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const current = await desiredState(one.url, agent.token, 'wake');
      const poll = desiredState(one.url, agent.token, 'wake', current.response.headers.get('etag')!, 20).then((r) => ({
        r,
        at: performance.now(),
      }));
      await new Promise((r) => setTimeout(r, 300));
      const enrolledAt = performance.now();
      const enrolled = await enroll(two.url, adminToken, 'wake', { name: `w-${i}` });
      expect(enrolled.response.status).toBe(201);
      const { r, at } = await poll;
      expect(r.response.status).toBe(200);
      expect(r.data!.peers.map((p) => p.publicKey)).toContain(enrolled.data!.peer.publicKey);
      samples.push(Math.round(at - enrolledAt));
    }
    report(`[replicas] long-poll on replica 1 woke after an enrollment on replica 2: ${samples.join(', ')} ms`);
    expect(Math.max(...samples)).toBeLessThan(1000);
  }, 60_000);

  it('expiry sweeps on both replicas act once per peer: N expiries, N audit events, each expiry in a new revision', async () => {
    await network('expiring', '10.62.0.0/24', 'fd00:62::/64');
    const n = 40;
    // Expiries 50 ms apart, so many sweeps of both replicas find work and race for it.
    const start = Date.now() + 5000;
    const enrolled = await pool(n, 8, (i) =>
      enroll(replica(i), adminToken, 'expiring', { name: `e-${i}`, expiresAt: new Date(start + i * 50).toISOString() }),
    );
    expect(enrolled.map((r) => r.response.status)).toEqual(Array(n).fill(201));
    const ids = enrolled.map((r) => r.data!.peer.id);
    const revision = async () =>
      BigInt((await sql.query(`SELECT revision FROM network WHERE name = 'expiring'`)).rows[0].revision);
    const before = await revision();
    const sweptBefore = sweptCounts();
    // Both replicas sweep every 100 ms; wait until every peer is expired, then a second more.
    const deadline = Date.now() + 20_000;
    let left = n;
    while (left > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      left = (await sql.query(`SELECT count(*)::int AS n FROM peer WHERE id = ANY($1) AND status <> 'expired'`, [ids]))
        .rows[0].n;
    }
    expect(left).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    const events = await sql.query(
      `SELECT target_id, count(*)::int AS n FROM audit_event WHERE action = 'peer.expired' AND target_id = ANY($1)
       GROUP BY target_id`,
      [ids],
    );
    expect(events.rows).toHaveLength(n);
    expect(events.rows.every((r) => r.n === 1)).toBe(true);
    // Every expiry is stamped into a revision (several expiries may share one: a stamp covers
    // every change committed before it), and the network's revision holds all of them.
    const after = await revision();
    expect(after).toBeGreaterThan(before);
    const stamps = await sql.query(
      `SELECT count(*)::int AS n, max(revision)::text AS last FROM peer
       WHERE id = ANY($1) AND status = 'expired' AND revision IS NOT NULL`,
      [ids],
    );
    expect(stamps.rows[0].n).toBe(n);
    expect(BigInt(stamps.rows[0].last)).toBeLessThanOrEqual(after);
    const released = await sql.query(
      `SELECT count(*)::int AS n FROM lease WHERE peer_id = ANY($1) AND released_at IS NOT NULL`,
      [ids],
    );
    expect(released.rows[0].n).toBe(n);
    const freed = await sql.query(
      `SELECT count(*)::int AS n FROM free_address f JOIN network w ON w.id = f.network_id
       WHERE w.name = 'expiring' AND f.available_at > now()`,
    );
    expect(freed.rows[0].n).toBe(n);
    // The work was shared, never repeated: the logged counts of both processes add up to N.
    const swept = sweptCounts();
    const byReplica = swept.map((c, i) => c - sweptBefore[i]);
    report(`[replicas] ${n} expiries swept by replica 1 / 2: ${byReplica.join(' / ')}`);
    expect(byReplica[0] + byReplica[1]).toBe(n);
  }, 60_000);

  it('the sweep goes on when the replica that did it stops (each replica sweeps)', async () => {
    // The replicas started together, so their sweeps tick almost at once and the first one
    // takes everything; stopping it shows the other sweeps too.
    const counts = sweptCounts();
    const [busy, other] = counts[0] >= counts[1] ? [one, two] : [two, one];
    expect(await busy.stop()).toBe(0);
    const otherBefore = sweptCounts()[busy === one ? 1 : 0];
    const expiresAt = new Date(Date.now() + 3000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await enroll(other.url, adminToken, 'expiring', { name: `l-${i}`, expiresAt });
      expect(res.response.status).toBe(201);
      ids.push(res.data!.peer.id);
    }
    const deadline = Date.now() + 15_000;
    let left = ids.length;
    while (left > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      left = (await sql.query(`SELECT count(*)::int AS n FROM peer WHERE id = ANY($1) AND status <> 'expired'`, [ids]))
        .rows[0].n;
    }
    expect(left).toBe(0);
    expect(sweptCounts()[busy === one ? 1 : 0] - otherBefore).toBe(5);
  }, 60_000);
});

/** Sum of "peers expired" counts each replica logged. */
function sweptCounts(): number[] {
  return [one, two].map((r) =>
    [...r.process.output().matchAll(/"msg":"peers expired","count":(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0),
  );
}
