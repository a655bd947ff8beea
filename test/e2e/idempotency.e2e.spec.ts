import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExpirySweeper } from '../../src/peers/expiry.sweeper';
import { bearer, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { rowCounts } from '../support/db';

/**
 * Idempotency-Key on POST /v1/networks/{network}/peers: a retry makes no second peer or lease
 * and never mints or re-shows a secret; real Postgres, concurrent retries included.
 */
let t: TestApp;
let api: Api;

beforeAll(async () => {
  t = await startTestApp();
  api = new Api(t);
});
afterAll(() => t?.close());

function enroll(secret: string, key: string | undefined, body: Record<string, unknown>, app: TestApp = t) {
  const req = app.http.post('/v1/networks/default/peers').set(bearer(secret)).set('Accept', 'application/json');
  if (key !== undefined) {
    req.set('Idempotency-Key', key);
  }
  return req.send(body).then((res) => {
    rememberSecretsIn(res.body);
    return res;
  });
}

const peersNamed = async (name: string) =>
  (await t.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM peer WHERE name = $1', [name])).rows[0].n;
const leasesOf = async (name: string) =>
  (
    await t.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM lease l JOIN peer p ON p.id = l.peer_id WHERE p.name = $1',
      [name],
    )
  ).rows[0].n;

describe('Idempotency-Key on enrollment', () => {
  it('inline: the retry makes nothing and gets 409 idempotent-replay naming the peer, without any secret', async () => {
    const key = randomUUID();
    const first = await enroll(t.adminToken, key, { name: 'idem-inline' });
    expect(first.status).toBe(201);
    expect(first.body.config.text).toContain('PrivateKey = ');
    const before = await rowCounts(t.sql);
    const retry = await enroll(t.adminToken, key, { name: 'idem-inline' });
    expectProblem(retry, 409, 'idempotent-replay');
    expect(retry.body.peerId).toBe(first.body.peer.id);
    expect(retry.body.peer.id).toBe(first.body.peer.id);
    expect(JSON.stringify(retry.body)).not.toMatch(/PrivateKey|PresharedKey|wg[tkc]_|"config"/);
    expect(await rowCounts(t.sql)).toEqual(before);
    expect(await peersNamed('idem-inline')).toBe(1);
    expect(await leasesOf('idem-inline')).toBe(1);
  });

  it('link, not yet redeemed: the retry gets 200 with the same peer, no link; once redeemed: 409', async () => {
    const key = randomUUID();
    const first = await enroll(t.adminToken, key, { name: 'idem-link', delivery: 'link' });
    expect(first.status).toBe(201);
    const retry = await enroll(t.adminToken, key, { name: 'idem-link', delivery: 'link' });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.peer.id).toBe(first.body.peer.id);
    expect(retry.body.claim).toBeUndefined();
    expect(JSON.stringify(retry.body)).not.toMatch(/wgc_/);
    // The first link still serves the config, once.
    expect((await api.claim(first.body.claim.url)).status).toBe(200);
    const late = await enroll(t.adminToken, key, { name: 'idem-link', delivery: 'link' });
    expectProblem(late, 409, 'idempotent-replay');
    expect(late.body.peerId).toBe(first.body.peer.id);
    expect(await peersNamed('idem-link')).toBe(1);
  });

  it('the same key with another body is 422 idempotency-key-reused and changes nothing', async () => {
    const key = randomUUID();
    expect((await enroll(t.adminToken, key, { name: 'idem-a' })).status).toBe(201);
    const before = await rowCounts(t.sql);
    const reused = await enroll(t.adminToken, key, { name: 'idem-b' });
    expectProblem(reused, 422, 'idempotency-key-reused');
    expect(await rowCounts(t.sql)).toEqual(before);
    expect(await peersNamed('idem-b')).toBe(0);
    // Same body, other network path counts as another request too.
    await api.createNetwork({ name: 'idem-net', ipv4Cidr: '10.61.0.0/24' });
    const other = await t.http
      .post('/v1/networks/idem-net/peers')
      .set(bearer(t.adminToken))
      .set('Idempotency-Key', key)
      .send({ name: 'idem-a' });
    expectProblem(other, 422, 'idempotency-key-reused');
  });

  it('keys are scoped per credential: another credential with the same key enrolls its own peer', async () => {
    const key = randomUUID();
    const requester = await api.token('requester');
    const a = await enroll(t.adminToken, key, { name: 'idem-scope', delivery: 'link' });
    const b = await enroll(requester.token, key, { name: 'idem-scope', delivery: 'link' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.peer.id).not.toBe(b.body.peer.id);
  });

  it('a failed enrollment keeps no key: the retry is carried out', async () => {
    await api.createNetwork({ name: 'idem-tiny', ipv4Cidr: '10.62.0.0/30' }); // one leasable host
    const blocker = await t.http
      .post('/v1/networks/idem-tiny/peers')
      .set(bearer(t.adminToken))
      .send({ name: 'blocker', delivery: 'link' });
    rememberSecretsIn(blocker.body);
    const key = randomUUID();
    const send = () =>
      t.http
        .post('/v1/networks/idem-tiny/peers')
        .set(bearer(t.adminToken))
        .set('Idempotency-Key', key)
        .send({ name: 'after-full', delivery: 'link' })
        .then((r) => {
          rememberSecretsIn(r.body);
          return r;
        });
    expectProblem(await send(), 409, 'pool-exhausted');
    expect((await t.sql.query('SELECT count(*)::int AS n FROM idempotency_key WHERE key = $1', [key])).rows[0].n).toBe(
      0,
    );
    await t.http.delete(`/v1/peers/${blocker.body.peer.id}`).set(bearer(t.adminToken)).expect(200);
    await t.sql.query(
      "UPDATE free_address SET available_at = now() FROM network n WHERE n.id = network_id AND n.name = 'idem-tiny'",
    );
    expect((await send()).status).toBe(201);
    expect((await send()).status).toBe(200);
  });

  it('a spent single-use enrollment key may still retry: it gets the replay, not enrollment-key-spent', async () => {
    const secret = await api.enrollmentKey('default', { maxUses: 1 });
    const key = randomUUID();
    const first = await enroll(secret, key, { name: 'idem-single', delivery: 'link' });
    expect(first.status).toBe(201);
    const retry = await enroll(secret, key, { name: 'idem-single', delivery: 'link' });
    expect(retry.status).toBe(200);
    expect(retry.body.peer.id).toBe(first.body.peer.id);
    // A new request with the spent key is still refused, and spends nothing.
    expectProblem(await enroll(secret, randomUUID(), { name: 'idem-single-2' }), 403, 'enrollment-key-spent');
    expectProblem(await enroll(secret, undefined, { name: 'idem-single-3' }), 403, 'enrollment-key-spent');
    const uses = await t.sql.query('SELECT uses FROM enrollment_key WHERE prefix = $1', [`${secret.slice(0, 12)}…`]);
    expect(uses.rows[0].uses).toBe(1);
  });

  it('refuses a malformed key (400 invalid-idempotency-key) before anything happens', async () => {
    const before = await rowCounts(t.sql);
    for (const bad of ['x'.repeat(256), 'has space', 'tab\there']) {
      expectProblem(await enroll(t.adminToken, bad, { name: 'idem-bad' }), 400, 'invalid-idempotency-key');
    }
    expect(await rowCounts(t.sql)).toEqual(before);
  });

  it('keys expire after 24 h: then the same key makes a new peer; the sweep prunes expired keys', async () => {
    const key = randomUUID();
    const first = await enroll(t.adminToken, key, { name: 'idem-expiring', delivery: 'link' });
    const row = await t.sql.query(
      'SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM idempotency_key WHERE key = $1',
      [key],
    );
    expect(row.rows[0].ttl).toBe(86_400);
    await t.sql.query("UPDATE idempotency_key SET expires_at = now() - interval '1 second' WHERE key = $1", [key]);
    const again = await enroll(t.adminToken, key, { name: 'idem-expiring', delivery: 'link' });
    expect(again.status).toBe(201);
    expect(again.body.peer.id).not.toBe(first.body.peer.id);
    await t.sql.query("UPDATE idempotency_key SET expires_at = now() - interval '1 second' WHERE key = $1", [key]);
    await t.app.get(ExpirySweeper).sweep();
    expect((await t.sql.query('SELECT count(*)::int AS n FROM idempotency_key WHERE key = $1', [key])).rows[0].n).toBe(
      0,
    );
  });

  it('30 concurrent retries with one key, over two app instances: exactly one peer and one lease', async () => {
    const b = await startTestApp({}, { databaseUrl: t.databaseUrl });
    try {
      for (const delivery of ['inline', 'link'] as const) {
        const key = randomUUID();
        const name = `idem-race-${delivery}`;
        const before = await rowCounts(t.sql);
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => enroll(t.adminToken, key, { name, delivery }, i % 2 ? b : t)),
        );
        const statuses = results.map((r) => r.status);
        expect(statuses.filter((s) => s === 201)).toHaveLength(1);
        const winner = results.find((r) => r.status === 201)!;
        const others = results.filter((r) => r !== winner);
        if (delivery === 'inline') {
          expect(others.map((r) => `${r.status} ${r.body.code}`)).toEqual(Array(29).fill('409 idempotent-replay'));
          expect(others.every((r) => r.body.peerId === winner.body.peer.id)).toBe(true);
        } else {
          expect(others.map((r) => r.status)).toEqual(Array(29).fill(200));
          expect(others.every((r) => r.body.peer.id === winner.body.peer.id && r.body.claim === undefined)).toBe(true);
        }
        // Only the secret-bearing answer carried a config or link.
        expect(results.filter((r) => r.body.config !== undefined || r.body.claim !== undefined)).toHaveLength(1);
        expect(await peersNamed(name)).toBe(1);
        expect(await leasesOf(name)).toBe(1);
        const after = await rowCounts(t.sql);
        expect(after.peer - before.peer).toBe(1);
        expect(after.lease - before.lease).toBe(1);
        expect(before.free_address - after.free_address).toBe(1);
      }
    } finally {
      await b.close();
    }
  });
});
