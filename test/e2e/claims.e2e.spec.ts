import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExpirySweeper } from '../../src/peers/expiry.sweeper';
import { startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem, type EnrolledByLink } from '../support/api';
import { rowCounts } from '../support/db';

let t: TestApp;
let api: Api;

beforeAll(async () => {
  t = await startTestApp({ CLAIM_TTL: '2s' });
  api = new Api(t);
});
afterAll(() => t?.close());

async function linkEnrollment(name: string) {
  const res = await api.enroll('default', t.adminToken, { name, delivery: 'link' });
  expect(res.status).toBe(201);
  expect(res.body.config).toBeUndefined();
  expect(res.body.peer.status).toBe('pending');
  return res.body as EnrolledByLink;
}

describe('claim links (invariant 2: served exactly once)', () => {
  it('serves one of 50 concurrent redemptions; the others get 410 and the private key is gone', async () => {
    const { peer, claim } = await linkEnrollment('concurrent-claim');
    expect(claim.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/claim/wgc_[A-Za-z0-9_-]{43}$`));
    const stored = await t.sql.query('SELECT private_key_enc IS NOT NULL AS has_key FROM peer WHERE id = $1', [
      peer.id,
    ]);
    expect(stored.rows[0].has_key).toBe(true);
    const results = await Promise.all(Array.from({ length: 50 }, () => api.claim(claim.url)));
    const ok = results.filter((r) => r.status === 200);
    const gone = results.filter((r) => r.status === 410);
    expect(ok).toHaveLength(1);
    expect(gone).toHaveLength(49);
    for (const r of gone) {
      expectProblem(r, 410, 'config-already-served');
      expect(JSON.stringify(r.body)).not.toMatch(/PrivateKey|wgc_/);
    }
    expect(ok[0].body.config.text).toMatch(/^\[Interface\]\nPrivateKey = [A-Za-z0-9+/]{43}=\n/);
    expect(ok[0].body.peer.status).toBe('active');
    const after = await t.sql.query('SELECT private_key_enc, served_at, status FROM peer WHERE id = $1', [peer.id]);
    expect(after.rows[0].private_key_enc).toBeNull();
    expect(after.rows[0].served_at).not.toBeNull();
    expect(after.rows[0].status).toBe('active');
    const refused = await t.sql.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'peer.claim-refused' AND target_id = $1`,
      [peer.id],
    );
    expect(refused.rows[0].n).toBe(49);
    const later = await api.claim(claim.url);
    expectProblem(later, 410, 'config-already-served');
    expect(later.body.servedAt).toEqual(after.rows[0].served_at.toISOString());
  });

  it('serves text/plain with a file name by default', async () => {
    const { claim } = await linkEnrollment('plain-claim');
    const res = await api.claim(claim.url, '*/*');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[a-zA-Z0-9_=+.-]{1,15}\.conf"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('[Peer]');
  });

  it('shows a page on GET that changes nothing, then the already-served page', async () => {
    const { peer, claim } = await linkEnrollment('page-claim');
    const path = new URL(claim.url).pathname;
    const before = await rowCounts(t.sql);
    for (let i = 0; i < 3; i++) {
      const page = await t.http.get(path);
      expect(page.status).toBe(200);
      expect(page.type).toBe('text/html');
      expect(page.text).toContain('<form method="post" action="/v1/claims/');
      expect(page.text).not.toContain('PrivateKey');
      expect(page.headers['content-security-policy']).toContain("default-src 'none'");
      expect(page.headers['referrer-policy']).toBe('no-referrer');
    }
    expect(await rowCounts(t.sql)).toEqual(before);
    const row = await t.sql.query('SELECT private_key_enc IS NOT NULL AS has_key, status FROM peer WHERE id = $1', [
      peer.id,
    ]);
    expect(row.rows[0]).toEqual({ has_key: true, status: 'pending' });
    expect((await api.claim(claim.url)).status).toBe(200);
    const again = await t.http.get(path);
    expect(again.status).toBe(410);
    expect(again.text).toContain('already downloaded');
  });

  it('refuses unknown and expired claims, and sweeps expired pending peers', async () => {
    expectProblem(
      await t.http.post('/v1/claims/wgc_doesnotexistdoesnotexistdoesnotexist12345'),
      404,
      'claim-not-found',
    );
    const { peer, claim } = await linkEnrollment('late-claim');
    await new Promise((r) => setTimeout(r, 2200));
    const late = await api.claim(claim.url);
    expectProblem(late, 410, 'claim-expired');
    const row = await t.sql.query('SELECT served_at FROM peer WHERE id = $1', [peer.id]);
    expect(row.rows[0].served_at).toBeNull();
    const swept = await t.app.get(ExpirySweeper).sweep();
    expect(swept).toContain(peer.id);
    const expired = await t.sql.query('SELECT status, private_key_enc FROM peer WHERE id = $1', [peer.id]);
    expect(expired.rows[0]).toEqual({ status: 'expired', private_key_enc: null });
    const lease = await t.sql.query('SELECT released_at FROM lease WHERE peer_id = $1', [peer.id]);
    expect(lease.rows[0].released_at).not.toBeNull();
    expectProblem(await api.claim(claim.url), 410, 'claim-expired');
  });
});
