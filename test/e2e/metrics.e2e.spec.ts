import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecret } from '../../src/domain/tokens/tokens';
import { bearer, rememberSecret, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { freshWindow } from '../support/limits';

/** GET /metrics (prom-client): values after real enrollments, claims, refusals and hub reports. */

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) {
      continue;
    }
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      return m[4] === '+Inf' ? Infinity : Number(m[4]);
    }
  }
  return undefined;
}

const scrape = async (t: TestApp, token?: string) => {
  await new Promise((r) => setTimeout(r, 1100)); // past the 1 s cache of the database gauges
  const req = t.http.get('/metrics');
  if (token) {
    req.set(bearer(token));
  }
  const res = await req;
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
};

describe('metrics', () => {
  let t: TestApp;
  let api: Api;
  const metricsToken = `metrics-${'x'.repeat(20)}-${Date.now()}`;

  beforeAll(async () => {
    rememberSecret(metricsToken);
    t = await startTestApp({ METRICS_TOKEN: metricsToken, RATE_LIMIT_CLAIM_PER_TOKEN: '3' });
    api = new Api(t);
    await api.createNetworkWithoutHub({ name: 'metered', ipv4Cidr: '10.77.0.0/29' });
  });
  afterAll(() => t?.close());

  it('needs METRICS_TOKEN when it is set', async () => {
    expectProblem(await t.http.get('/metrics'), 401, 'unauthenticated');
    expectProblem(await t.http.get('/metrics').set(bearer('not-the-metrics-token')), 401, 'invalid-credential');
    expect((await t.http.get('/metrics').set(bearer(metricsToken))).status).toBe(200);
  });

  it('counts enrollments and claims (served and refused by code), and reads pool, hub and peer gauges from the database', async () => {
    const before = await scrape(t, metricsToken);
    const base = (name: string, labels: Record<string, string>) => sample(before, name, labels) ?? 0;
    const b = {
      inline: base('wg_enroll_enrollments_total', { network: 'default', delivery: 'inline' }),
      link: base('wg_enroll_enrollments_total', { network: 'default', delivery: 'link' }),
      served: base('wg_enroll_claims_total', { result: 'served' }),
      again: base('wg_enroll_claims_total', { result: 'config-already-served' }),
      unknown: base('wg_enroll_claims_total', { result: 'claim-not-found' }),
    };
    // An agent-less network: nothing applied, agent never seen.
    expect(sample(before, 'wg_enroll_pool_size', { network: 'metered' })).toBe(5);
    expect(sample(before, 'wg_enroll_agent_last_seen_age_seconds', { network: 'metered' })).toBe(Infinity);

    for (let i = 0; i < 3; i++) {
      expect((await api.enroll('default', t.adminToken, { name: `m-inline-${i}` })).status).toBe(201);
    }
    const link = await api.enroll('default', t.adminToken, { name: 'm-link', delivery: 'link' });
    expect(link.status).toBe(201);
    const url = link.body.claim.url as string;
    await freshWindow(t.sql);
    expect((await api.claim(url)).status).toBe(200);
    expect((await api.claim(url)).status).toBe(410);
    expect((await api.claim(url)).status).toBe(410);
    expect((await api.claim(url)).status).toBe(429); // counted as rate limited, not as a claim
    expect((await api.claim(url.replace(/wgc_[A-Za-z0-9_-]+$/, `wgc_${'A'.repeat(43)}`))).status).toBe(404);
    const revoked = await api.enroll('default', t.adminToken, { name: 'm-revoked' });
    await t.http.delete(`/v1/peers/${revoked.body.peer.id}`).set(bearer(t.adminToken)).expect(200);
    await t.sql.query(
      "UPDATE peer SET flagged_at = now() WHERE name = 'm-inline-0'; UPDATE network SET applied_revision = revision - 2, agent_last_seen_at = now() - interval '42 seconds' WHERE name = 'default'",
    );

    const after = await scrape(t, metricsToken);
    const get = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels);
    expect(get('wg_enroll_enrollments_total', { network: 'default', delivery: 'inline' })).toBe(b.inline + 4);
    expect(get('wg_enroll_enrollments_total', { network: 'default', delivery: 'link' })).toBe(b.link + 1);
    expect(get('wg_enroll_claims_total', { result: 'served' })).toBe(b.served + 1);
    expect(get('wg_enroll_claims_total', { result: 'config-already-served' })).toBe(b.again + 2);
    expect(get('wg_enroll_claims_total', { result: 'claim-not-found' })).toBe(b.unknown + 1);
    expect(get('wg_enroll_rate_limited_total', { limit: 'claim-per-token' })).toBe(1);

    // Gauges equal what the database says now.
    const { rows } = await t.sql.query(
      `SELECT (SELECT count(*)::int FROM peer p WHERE p.network_id = n.id AND status IN ('pending','active')) AS leased,
              (SELECT count(*)::int FROM free_address f WHERE f.network_id = n.id AND available_at <= now()) AS free,
              (SELECT count(*)::int FROM free_address f WHERE f.network_id = n.id AND available_at > now()) AS cooling,
              revision::int AS revision
       FROM network n WHERE name = 'default'`,
    );
    const db = rows[0];
    expect(db.cooling).toBeGreaterThanOrEqual(1); // the revoked peer's address
    expect(get('wg_enroll_pool_size', { network: 'default' })).toBe(253);
    expect(get('wg_enroll_pool_leased', { network: 'default' })).toBe(db.leased);
    expect(get('wg_enroll_pool_free', { network: 'default' })).toBe(db.free);
    expect(get('wg_enroll_pool_cooling', { network: 'default' })).toBe(db.cooling);
    expect(db.leased + db.free + db.cooling).toBe(253);
    expect(get('wg_enroll_hub_desired_revision', { network: 'default' })).toBe(db.revision);
    expect(get('wg_enroll_hub_revision_lag', { network: 'default' })).toBe(2);
    const age = get('wg_enroll_agent_last_seen_age_seconds', { network: 'default' })!;
    expect(age).toBeGreaterThanOrEqual(42);
    expect(age).toBeLessThan(60);
    expect(get('wg_enroll_peers_flagged', { network: 'default' })).toBe(1);
    expect(get('wg_enroll_peers', { network: 'default', status: 'active' })).toBe(db.leased);
  });

  it('labels latency by route template, never by the raw path (no claim token in a label)', async () => {
    const link = await api.enroll('default', t.adminToken, { name: 'm-latency', delivery: 'link' });
    const token = /wgc_[A-Za-z0-9_-]+$/.exec(link.body.claim.url as string)![0];
    await api.claim(link.body.claim.url as string);
    await t.http.get(`/claim/${token}`);
    await t.http.get('/v1/no-such-route').set(bearer(t.adminToken));
    const text = await scrape(t, metricsToken);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(0, 12));
    expect(
      sample(text, 'wg_enroll_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/claims/:claimToken',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'wg_enroll_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/networks/:network/peers',
        status: '201',
      }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      sample(text, 'wg_enroll_http_request_duration_seconds_count', { route: '(unmatched)', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    for (const m of text.matchAll(/route="([^"]*)"/g)) {
      expect(m[1]).toMatch(/^(\(unmatched\)|\/[A-Za-z0-9/:_.-]*)$/);
      expect(m[1]).not.toMatch(/wg[tkc]_|[0-9a-f]{8}-[0-9a-f]{4}-/);
    }
  });

  it('reports the same database gauges from two replicas (read at scrape time)', async () => {
    const b = await startTestApp({ METRICS_TOKEN: metricsToken }, { databaseUrl: t.databaseUrl });
    try {
      await new Api(b).enroll('default', t.adminToken, { name: 'm-replica' });
      const [x, y] = [await scrape(t, metricsToken), await scrape(b, metricsToken)];
      for (const name of ['wg_enroll_pool_leased', 'wg_enroll_pool_free', 'wg_enroll_hub_desired_revision']) {
        expect(sample(x, name, { network: 'default' })).toBe(sample(y, name, { network: 'default' }));
      }
      // Counters are each process's own: the enrollment was made on b.
      expect(sample(y, 'wg_enroll_enrollments_total', { network: 'default', delivery: 'inline' })).toBe(1);
    } finally {
      await b.close();
    }
  });

  it('counts the 429s of the failed-authentication limits by limit', async () => {
    const g = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '2', AUTH_FAILURES_PER_CREDENTIAL: '3' });
    try {
      await freshWindow(g.sql);
      const guess = newSecret('apiToken');
      for (let i = 0; i < 2; i++) {
        expectProblem(await g.http.get('/v1/networks').set(bearer(newSecret('apiToken'))), 401, 'invalid-credential');
      }
      for (let i = 0; i < 3; i++) {
        const res = await g.http.get('/v1/networks').set(bearer(guess));
        expectProblem(res, 429, 'rate-limited');
        expect(res.body.limit).toBe('auth-failures-per-address');
      }
      const text = await scrape(g);
      expect(sample(text, 'wg_enroll_rate_limited_total', { limit: 'auth-failures-per-address' })).toBe(3);
      // A valid credential from the same address is neither refused nor counted.
      await g.http.get('/v1/networks').set(bearer(g.adminToken)).expect(200);
      expect(sample(await scrape(g), 'wg_enroll_rate_limited_total', { limit: 'auth-failures-per-address' })).toBe(3);
    } finally {
      await g.close();
    }
  });
});
