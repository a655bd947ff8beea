import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { rememberSecret, startTestApp, type TestApp } from '../support/app';
import { AuthService } from '../../src/tokens/auth.service';
import { maskedPrefix } from '../../src/domain/tokens/tokens';
import { Api } from '../support/api';

/** Two API instances with their own connection pools on one database, as replicas run. */
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({}, { databaseUrl: a.databaseUrl });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('invariants 1 and 2 across two API instances on one database', () => {
  it('200 concurrent enrollments spread over both: no shared address or key', async () => {
    const apiA = new Api(a);
    const apiB = new Api(b);
    await apiA.createNetwork({ name: 'shared', ipv4Cidr: '10.40.0.0/24', ipv6Cidr: 'fd00:40::/64' });
    const key = await apiA.enrollmentKey('shared', { maxUses: 250 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? apiA : apiB).enroll('shared', key, { name: `r-${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(201));
    const rows = await a.sql.query(
      `SELECT count(DISTINCT ipv4)::int AS v4, count(DISTINCT ipv6)::int AS v6, count(DISTINCT public_key)::int AS k, count(*)::int AS n
       FROM peer p JOIN network n ON n.id = p.network_id WHERE n.name = 'shared'`,
    );
    expect(rows.rows[0]).toEqual({ v4: 200, v6: 200, k: 200, n: 200 });
    const uses = await a.sql.query(`SELECT uses FROM enrollment_key WHERE prefix = $1`, [`${key.slice(0, 12)}…`]);
    expect(uses.rows[0].uses).toBe(200);
  });

  it('50 redemptions of one claim spread over both: exactly one 200', async () => {
    const apiA = new Api(a);
    const apiB = new Api(b);
    const link = await apiA.enroll('default', a.adminToken, { name: 'replicated-claim', delivery: 'link' });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? apiA : apiB).claim(link.body.claim.url)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 410)).toHaveLength(49);
  });
});

describe('replicas starting together on a new database', () => {
  it('register ADMIN_TOKEN once: the others find it registered instead of failing to start', async () => {
    const token = `wgt_${randomBytes(32).toString('base64url')}`;
    rememberSecret(token);
    // What each replica's bootstrap does at the same moment.
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).app.get(AuthService).ensureAdminSecret(token)),
    );
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(Array(8).fill('ok'));
    expect(results.filter((r) => r.status === 'fulfilled' && r.value)).toHaveLength(1);
    const rows = await a.sql.query(`SELECT count(*)::int AS n FROM api_token WHERE prefix = $1`, [maskedPrefix(token)]);
    expect(rows.rows[0].n).toBe(1);
  });
});
