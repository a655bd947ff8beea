import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { rowCounts } from '../support/db';

let t: TestApp;
let api: Api;

beforeAll(async () => {
  t = await startTestApp();
  api = new Api(t);
  await api.createNetwork({ name: 'alpha', ipv4Cidr: '10.90.0.0/24' });
  await api.createNetwork({ name: 'beta', ipv4Cidr: '10.91.0.0/24' });
});
afterAll(() => t?.close());

describe('GET /v1/whoami (what the presented credential is, never the secret)', () => {
  it('names the network an enrollment key is bound to, and changes nothing', async () => {
    const key = await api.enrollmentKey('beta', { maxUses: 1 });
    const before = await rowCounts(t.sql);
    const res = await t.http.get('/v1/whoami').set(bearer(key)).expect(200);
    expect(res.body).toEqual({ kind: 'enrollment-key', role: null, network: 'beta', networks: ['beta'] });
    expect(JSON.stringify(res.body)).not.toContain(key.slice(4, 20));
    expect(await rowCounts(t.sql)).toEqual(before); // no use spent
  });

  it('lists every network for an unscoped token, one for a scoped one, none for an agent', async () => {
    const admin = await t.http.get('/v1/whoami').set(bearer(t.adminToken)).expect(200);
    expect(admin.body).toMatchObject({ kind: 'token', role: 'admin', network: null });
    expect(admin.body.networks).toEqual(expect.arrayContaining(['alpha', 'beta']));
    const scoped = await api.token('requester', { network: 'alpha' });
    expect((await t.http.get('/v1/whoami').set(bearer(scoped.token))).body).toEqual({
      kind: 'token',
      role: 'requester',
      network: 'alpha',
      networks: ['alpha'],
    });
    const agent = await api.token('agent', { network: 'alpha' });
    expect((await t.http.get('/v1/whoami').set(bearer(agent.token))).body).toEqual({
      kind: 'token',
      role: 'agent',
      network: 'alpha',
      networks: [],
    });
  });

  it('answers the same problems as enrolling would for bad, spent or missing credentials', async () => {
    expectProblem(await t.http.get('/v1/whoami'), 401, 'unauthenticated');
    expectProblem(await t.http.get('/v1/whoami').set(bearer(`wgk_${'y'.repeat(43)}`)), 401, 'invalid-credential');
    const key = await api.enrollmentKey('alpha', { maxUses: 1 });
    expect((await api.enroll('alpha', key, { name: 'spends-it' })).status).toBe(201);
    expectProblem(await t.http.get('/v1/whoami').set(bearer(key)), 403, 'enrollment-key-spent');
  });
});

describe('DELETE /v1/me/token (the presented API token revokes itself)', () => {
  it('revokes the token that asks, audited, and nothing else; then it is refused', async () => {
    const mine = await api.token('requester', { network: 'alpha' });
    const other = await api.token('requester', { network: 'alpha' });
    await t.http.delete('/v1/me/token').set(bearer(mine.token)).expect(204);
    expectProblem(await t.http.get('/v1/whoami').set(bearer(mine.token)), 401, 'invalid-credential');
    await t.http.get('/v1/whoami').set(bearer(other.token)).expect(200);
    const { rows } = await t.sql.query(
      `SELECT action, target_id FROM audit_event WHERE action = 'token.revoked' AND target_id = $1`,
      [mine.id],
    );
    expect(rows).toHaveLength(1);
  });

  it('is refused to enrollment keys and agent tokens, which change nothing', async () => {
    const key = await api.enrollmentKey('alpha');
    const agent = await api.token('agent', { network: 'alpha' });
    const before = await rowCounts(t.sql);
    expectProblem(await t.http.delete('/v1/me/token').set(bearer(key)), 403, 'forbidden');
    expectProblem(await t.http.delete('/v1/me/token').set(bearer(agent.token)), 403, 'forbidden');
    expect(await rowCounts(t.sql)).toEqual(before);
    await t.http.get('/v1/whoami').set(bearer(key)).expect(200);
  });
});
