import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';

// The network status endpoint behind /status: "expiring soon" (an expiry within 7 days) as a
// per-peer field, a count and a server-side filter, next to the name search and the paging.
let t: TestApp;
let api: Api;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  api = new Api(t);
  await api.createNetwork({ name: 'expnet', ipv4Cidr: '10.41.0.0/24' });
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
  for (const [name, expiresAt] of [
    ['soon-a', inDays(2)],
    ['soon-b', inDays(6.9)],
    ['later', inDays(30)],
    ['never', undefined],
  ] as const) {
    const res = await api.enroll('expnet', t.adminToken, { name, ...(expiresAt ? { expiresAt } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids[name] = res.body.peer.id;
  }
});
afterAll(async () => {
  await t?.close();
});

const status = (query: Record<string, string>) =>
  t.http.get('/v1/networks/expnet/status').query(query).set(bearer(t.adminToken));

describe('network status: expiring soon', () => {
  it('marks, counts and filters the peers whose expiry is within 7 days', async () => {
    const all = await status({}).expect(200);
    const byName = Object.fromEntries(
      all.body.items.map((p: { name: string; expiringSoon: boolean }) => [p.name, p.expiringSoon]),
    );
    expect(byName).toEqual({ 'soon-a': true, 'soon-b': true, later: false, never: false });
    expect(all.body.peers.expiringSoon).toBe(2);

    const soon = await status({ expiring: 'true' }).expect(200);
    expect(soon.body.items.map((p: { id: string }) => p.id).sort()).toEqual([ids['soon-a'], ids['soon-b']].sort());
    const notSoon = await status({ expiring: 'false' }).expect(200);
    expect(notSoon.body.items.map((p: { id: string }) => p.id).sort()).toEqual([ids.later, ids.never].sort());
  });

  it('combines with the name search and pages through the matches', async () => {
    const first = await status({ expiring: 'true', name: 'SOON', limit: '1' }).expect(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await status({ expiring: 'true', name: 'SOON', limit: '1', cursor: first.body.nextCursor }).expect(
      200,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([first.body.items[0].name, second.body.items[0].name].sort()).toEqual(['soon-a', 'soon-b']);
    const none = await status({ expiring: 'true', name: 'later' }).expect(200);
    expect(none.body.items).toEqual([]);
  });

  it('refuses a bad filter value with a problem', async () => {
    expectProblem(await status({ expiring: 'soon' }), 400, 'validation-failed');
  });
});
