import { describe, expect, it } from 'vitest';
import { RateLimitStore } from '../../src/database/rate-limit.store';
import { newSecret } from '../../src/domain/tokens/tokens';
import { bearer, rememberSecret, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { rowCounts } from '../support/db';
import { freshWindow } from '../support/limits';
import { signInEnv, startTestProvider } from '../support/oidc-op';
import { freePort } from '../../src/database/embedded-postgres';

/**
 * Abuse limits: enrollment, claim redemption and failed authentication, per client
 * address and per credential, counted in Postgres so replicas share them, with X-Forwarded-For
 * honoured only behind a trusted proxy.
 */

async function withApp(env: Record<string, string>, body: (t: TestApp, api: Api) => Promise<void>): Promise<void> {
  const t = await startTestApp(env);
  try {
    await freshWindow(t.sql);
    await body(t, new Api(t));
  } finally {
    await t.close();
  }
}

function enroll(t: TestApp, secret: string, name: string, xff?: string) {
  const req = t.http.post('/v1/networks/default/peers').set(bearer(secret)).set('Accept', 'application/json');
  if (xff !== undefined) {
    req.set('X-Forwarded-For', xff);
  }
  return req.send({ name, delivery: 'link' }).then((res) => {
    rememberSecretsIn(res.body);
    return res;
  });
}

describe('enrollment limits', () => {
  it('per client address: the limit holds across credentials, refuses with 429 + Retry-After and changes nothing', async () => {
    await withApp({ RATE_LIMIT_ENROLL_PER_ADDRESS: '3' }, async (t, api) => {
      const keys = [await api.enrollmentKey('default'), await api.enrollmentKey('default'), t.adminToken];
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await t.http
          .post('/v1/networks/default/peers')
          .set(bearer(keys[i]))
          .send({ name: `addr-${i}`, publicKey: undefined, delivery: 'link' });
        statuses.push(res.status);
        rememberSecret(...(JSON.stringify(res.body).match(/wg[tkc]_[A-Za-z0-9_-]{40,}/g) ?? []));
      }
      expect(statuses).toEqual([201, 201, 201]);
      const before = await rowCounts(t.sql);
      const refused = await t.http
        .post('/v1/networks/default/peers')
        .set(bearer(await api.enrollmentKey('default')))
        .send({ name: 'addr-4', delivery: 'link' });
      expectProblem(refused, 429, 'rate-limited');
      expect(refused.body.limit).toBe('enroll-per-address');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.body.retryAfter).toBe(retryAfter);
      const after = await rowCounts(t.sql);
      // Only the enrollment key made for the refused request is new.
      expect({ ...after, enrollment_key: 0, audit_event: 0 }).toEqual({ ...before, enrollment_key: 0, audit_event: 0 });
      expect(after.peer).toBe(before.peer);
      // Other operations from the same address are not enrollment: still served.
      await t.http.get('/v1/networks/default/peers').set(bearer(t.adminToken)).expect(200);
    });
  });

  it('per credential: one enrollment key from many (trusted-proxy) addresses is limited; another key is not', async () => {
    await withApp({ RATE_LIMIT_ENROLL_PER_CREDENTIAL: '2', TRUST_PROXY: 'loopback' }, async (t, api) => {
      const key = await api.enrollmentKey('default', { maxUses: 10 });
      const other = await api.enrollmentKey('default', { maxUses: 10 });
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await enroll(t, key, `cred-${i}`, `198.51.100.${i + 1}`)).status);
      }
      expect(statuses).toEqual([201, 201, 429]);
      const refused = await enroll(t, key, 'cred-x', '198.51.100.99');
      expectProblem(refused, 429, 'rate-limited');
      expect(refused.body.limit).toBe('enroll-per-credential');
      expect((await enroll(t, other, 'cred-other', '198.51.100.1')).status).toBe(201);
    });
  });
});

describe('client address and X-Forwarded-For', () => {
  it('ignores X-Forwarded-For by default: rotating it does not escape the per-address limit', async () => {
    await withApp({ RATE_LIMIT_ENROLL_PER_ADDRESS: '2' }, async (t) => {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await enroll(t, t.adminToken, `xff-${i}`, `203.0.113.${i + 1}`)).status);
      }
      expect(statuses).toEqual([201, 201, 429, 429]);
    });
  });

  it.each([
    ['a trusted address list', 'loopback'],
    ['a CIDR list', '127.0.0.0/8, ::1/128'],
    ['a hop count', '1'],
  ])('honours X-Forwarded-For from a trusted proxy (%s)', async (_what, trust) => {
    await withApp({ RATE_LIMIT_ENROLL_PER_ADDRESS: '2', TRUST_PROXY: trust }, async (t) => {
      // Each forwarded client has its own allowance…
      for (let i = 0; i < 4; i++) {
        expect((await enroll(t, t.adminToken, `trusted-${i}`, `203.0.113.${i + 1}`)).status).toBe(201);
      }
      // …and one client is limited whatever it claims further left in the chain.
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await enroll(t, t.adminToken, `same-${i}`, `10.9.9.${i}, 203.0.113.77`)).status);
      }
      expect(statuses).toEqual([201, 201, 429]);
    });
  });

  it('does not trust a proxy outside the list', async () => {
    await withApp({ RATE_LIMIT_ENROLL_PER_ADDRESS: '2', TRUST_PROXY: '192.0.2.0/24' }, async (t) => {
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await enroll(t, t.adminToken, `untrusted-${i}`, `203.0.113.${i + 1}`)).status);
      }
      expect(statuses).toEqual([201, 201, 429]);
    });
  });
});

describe('claim redemption limits', () => {
  it('per claim token: attempts beyond the allowance are 429, not another 410', async () => {
    await withApp({ RATE_LIMIT_CLAIM_PER_TOKEN: '2' }, async (t, api) => {
      const link = await api.enroll('default', t.adminToken, { name: 'claimed', delivery: 'link' });
      const url = link.body.claim.url as string;
      expect((await api.claim(url)).status).toBe(200);
      expectProblem(await api.claim(url), 410, 'config-already-served');
      const limited = await api.claim(url);
      expectProblem(limited, 429, 'rate-limited');
      expect(limited.body.limit).toBe('claim-per-token');
    });
  });

  it('per address: guessing claim tokens is limited (the claim page counts too)', async () => {
    await withApp({ RATE_LIMIT_CLAIM_PER_ADDRESS: '3' }, async (t) => {
      const statuses = [];
      for (let i = 0; i < 2; i++) {
        statuses.push((await t.http.post(`/v1/claims/${newSecret('claim')}`)).status);
      }
      statuses.push((await t.http.get(`/claim/${newSecret('claim')}`)).status);
      const limited = await t.http.post(`/v1/claims/${newSecret('claim')}`);
      statuses.push(limited.status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      expect(limited.body.limit).toBe('claim-per-address');
    });
  });
});

describe('failed authentication limits', () => {
  it('per address: after the allowance further failed attempts wait; a valid credential from that address does not', async () => {
    await withApp({ AUTH_FAILURES_PER_MINUTE: '3' }, async (t) => {
      for (let i = 0; i < 3; i++) {
        expectProblem(await t.http.get('/v1/networks').set(bearer(newSecret('apiToken'))), 401, 'invalid-credential');
      }
      const res = await t.http.get('/v1/networks').set(bearer(newSecret('apiToken')));
      expectProblem(res, 429, 'rate-limited');
      expect(res.body.limit).toBe('auth-failures-per-address');
      expectProblem(await t.http.get('/v1/networks'), 429, 'rate-limited');
      await t.http.get('/v1/networks').set(bearer(t.adminToken)).expect(200);
      expectProblem(await t.http.get('/v1/networks').set(bearer(newSecret('enrollmentKey'))), 429, 'rate-limited');
    });
  });

  it('per credential: a failing credential is refused from every address; others are not', async () => {
    await withApp({ AUTH_FAILURES_PER_CREDENTIAL: '2', TRUST_PROXY: 'loopback' }, async (t, api) => {
      const key = await api.enrollmentKey('default');
      await t.http
        .delete(
          `/v1/networks/default/enrollment-keys/${(await t.sql.query('SELECT id FROM enrollment_key WHERE prefix = $1', [`${key.slice(0, 12)}…`])).rows[0].id}`,
        )
        .set(bearer(t.adminToken))
        .expect(204);
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const res = await enroll(t, key, `revoked-${i}`, `198.51.100.${i + 10}`);
        statuses.push(`${res.status} ${res.body.code}`);
      }
      expect(statuses).toEqual(['401 enrollment-key-revoked', '401 enrollment-key-revoked', '429 rate-limited']);
      expect((await enroll(t, t.adminToken, 'fine', '198.51.100.12')).status).toBe(201);
    });
  });
});

describe('sign-in limits', () => {
  it('public sign-in routes count per address: a flood of callbacks writes no more refusals, another address still signs in', async () => {
    const port = await freePort();
    const op = await startTestProvider(`http://127.0.0.1:${port}`);
    try {
      const env = {
        PORT: String(port),
        ...signInEnv(op),
        RATE_LIMIT_SIGN_IN_PER_ADDRESS: '4',
        TRUST_PROXY: 'loopback',
      };
      await withApp(env, async (t) => {
        const from = (address: string) => ({ 'X-Forwarded-For': address });
        const refusals = async () =>
          Number(
            (await t.sql.query("SELECT count(*)::int AS n FROM audit_event WHERE action = 'user.sign-in-refused'"))
              .rows[0].n,
          );
        const before = await refusals();
        for (let i = 0; i < 4; i++) {
          const res = await t.http.get(`/auth/callback?state=guess-${i}&code=x`).set(from('198.51.100.7'));
          expect(res.status).toBe(400);
        }
        expect(await refusals()).toBe(before + 4);
        for (const request of [
          () => t.http.get('/auth/callback?state=guess-x&code=x'),
          () => t.http.get('/auth/login'),
          () => t.http.post('/auth/device'),
          () => t.http.post('/auth/device/token').send({ handle: 'wgd_guess' }),
        ]) {
          const res = await request().set(from('198.51.100.7'));
          expectProblem(res, 429, 'rate-limited');
          expect(res.body.limit).toBe('sign-in-per-address');
        }
        expect(await refusals()).toBe(before + 4);
        const started = await t.http.post('/auth/device').set(from('198.51.100.8'));
        expect(started.status).toBe(201);
        rememberSecretsIn(started.body);
        rememberSecret(...op.deviceCodes);
        expect((await t.http.get('/auth/login').set(from('198.51.100.8'))).status).toBe(303);
      });
    } finally {
      rememberSecret(...op.deviceCodes);
      await op.close();
    }
  });
});

describe('shared through Postgres', () => {
  it('two app instances on one database share one allowance', async () => {
    const env = { RATE_LIMIT_ENROLL_PER_ADDRESS: '4' };
    const a = await startTestApp(env);
    const b = await startTestApp(env, { databaseUrl: a.databaseUrl });
    try {
      await freshWindow(a.sql);
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await enroll(i % 2 ? b : a, a.adminToken, `replica-${i}`)).status);
      }
      // Per process, each would have allowed 4 (8 in all).
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('concurrent requests are counted exactly (no lost updates)', async () => {
    await withApp({ RATE_LIMIT_PER_MINUTE: '25' }, async (t) => {
      const results = await Promise.all(
        Array.from({ length: 40 }, () => t.http.get('/v1/networks').set(bearer(t.adminToken))),
      );
      expect(results.filter((r) => r.status === 200).length).toBe(25);
      expect(results.filter((r) => r.status === 429).length).toBe(15);
    });
  });

  it('stores hashes, never a credential or claim token, and prunes finished windows', async () => {
    await withApp(
      { RATE_LIMIT_ENROLL_PER_CREDENTIAL: '5', RATE_LIMIT_CLAIM_PER_TOKEN: '5', AUTH_FAILURES_PER_CREDENTIAL: '5' },
      async (t) => {
        const wrong = newSecret('enrollmentKey');
        const claim = newSecret('claim');
        await enroll(t, t.adminToken, 'hashed');
        await enroll(t, wrong, 'hashed-2');
        await t.http.post(`/v1/claims/${claim}`);
        const { rows } = await t.sql.query<{ key: string }>('SELECT key FROM rate_limit_bucket');
        expect(rows.length).toBeGreaterThanOrEqual(4);
        const text = rows.map((r) => r.key).join('\n');
        for (const secret of [t.adminToken, wrong, claim, t.adminToken.slice(4, 20), claim.slice(4, 20)]) {
          expect(text).not.toContain(secret);
        }
        await t.sql.query(
          "INSERT INTO rate_limit_bucket (key, window_start, count) VALUES ('old', now() - interval '10 minutes', 9)",
        );
        expect(await t.app.get(RateLimitStore).prune()).toBe(1);
        expect(
          (await t.sql.query("SELECT count(*)::int AS n FROM rate_limit_bucket WHERE key = 'old'")).rows[0].n,
        ).toBe(0);
      },
    );
  });

  it('with every limit off, nothing is written', async () => {
    await withApp({}, async (t) => {
      await enroll(t, t.adminToken, 'unlimited');
      await t.http
        .get('/v1/networks')
        .set(bearer(newSecret('apiToken')))
        .expect(401);
      expect((await t.sql.query('SELECT count(*)::int AS n FROM rate_limit_bucket')).rows[0].n).toBe(0);
    });
  });
});
