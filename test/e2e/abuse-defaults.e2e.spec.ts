import { describe, expect, it } from 'vitest';
import { EmbeddedAgentHost } from '../../src/agent/embedded-agent';
import { DEFAULT_RATE_LIMITS } from '../../src/config/env';
import { newSecret } from '../../src/domain/tokens/tokens';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { freshWindow } from '../support/limits';

/**
 * The abuse limits on their defaults stop guessing and floods, not ordinary bulk use: a script
 * enrolling 500 machines with an admin token, or 500 devices behind one NAT with one enrollment
 * key, all succeed; guessing credentials or claim tokens from that address is still refused.
 * Failed authentications never lock out a valid credential or the embedded hub agent.
 */

/** Runs `count` jobs, `width` at a time; gives every job's result. */
async function pool<T>(count: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await job(i);
      }
    }),
  );
  return out;
}

async function withDefaults(env: Record<string, string>, body: (t: TestApp, api: Api) => Promise<void>) {
  const t = await startTestApp({ ...DEFAULT_RATE_LIMITS, ...env });
  try {
    await body(t, new Api(t));
  } finally {
    await t.close();
  }
}

describe('abuse limits on their defaults', () => {
  it('500 enrollments from one address with an admin token, and 500 with one enrollment key, all succeed', async () => {
    await withDefaults({}, async (t, api) => {
      await api.createNetwork({ name: 'lab', ipv4Cidr: '10.70.0.0/20', ipv6Cidr: 'fd00:70::/64' });
      const key = await api.enrollmentKey('lab', { maxUses: 500 });
      await freshWindow(t.sql, 30);
      const byAdmin = await pool(500, 6, (i) =>
        api.enroll('lab', t.adminToken, { name: `lab-pc-${i}`, delivery: 'link' }),
      );
      const byKey = await pool(500, 6, (i) => api.enroll('lab', key, { name: `student-${i}`, delivery: 'link' }));
      const statuses = (list: { status: number }[]) =>
        list.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
      expect(statuses(byAdmin)).toEqual({ 201: 500 });
      expect(statuses(byKey)).toEqual({ 201: 500 });
      // The key's own bound still holds: use 501 is refused by maxUses, not by a rate limit.
      expectProblem(
        await t.http.post('/v1/networks/lab/peers').set(bearer(key)).send({ name: 'one-more', delivery: 'link' }),
        403,
        'enrollment-key-spent',
      );
    });
  }, 300_000);

  it('guessing credentials and claim tokens from one address is still refused; a valid credential is not', async () => {
    await withDefaults({}, async (t) => {
      await freshWindow(t.sql, 30);
      const guesses = await pool(Number(DEFAULT_RATE_LIMITS.AUTH_FAILURES_PER_MINUTE), 4, () =>
        t.http.get('/v1/networks').set(bearer(newSecret('apiToken'))),
      );
      expect(guesses.every((r) => r.status === 401)).toBe(true);
      const refused = await t.http.get('/v1/networks').set(bearer(newSecret('enrollmentKey')));
      expectProblem(refused, 429, 'rate-limited');
      expect(refused.body.limit).toBe('auth-failures-per-address');
      await t.http.get('/v1/networks').set(bearer(t.adminToken)).expect(200);

      const claims = await pool(Number(DEFAULT_RATE_LIMITS.RATE_LIMIT_CLAIM_PER_ADDRESS), 6, () =>
        t.http.post(`/v1/claims/${newSecret('claim')}`),
      );
      expect(claims.every((r) => r.status === 404)).toBe(true);
      const limited = await t.http.post(`/v1/claims/${newSecret('claim')}`);
      expectProblem(limited, 429, 'rate-limited');
      expect(limited.body.limit).toBe('claim-per-address');
    });
  }, 300_000);

  it('the embedded hub agent is not starved by limits others at its address spend', async () => {
    await withDefaults({ AUTH_FAILURES_PER_MINUTE: '2', RATE_LIMIT_PER_MINUTE: '4' }, async (t) => {
      const agent = await t.app.get(EmbeddedAgentHost).start(t.url);
      try {
        await freshWindow(t.sql, 30);
        // Others on loopback spend the failed-authentication and per-address allowances…
        for (let i = 0; i < 6; i++) {
          await t.http.get('/v1/networks').set(bearer(newSecret('apiToken')));
        }
        expectProblem(await t.http.get('/v1/networks').set(bearer(t.adminToken)), 429, 'rate-limited');
        // …and the agent still registers its key and reports, many times over.
        for (let i = 0; i < 6; i++) {
          await expect(agent.register()).resolves.toEqual(expect.any(String));
          await expect(agent.report()).resolves.toBeUndefined();
        }
      } finally {
        await t.app.get(EmbeddedAgentHost).stop();
      }
    });
  }, 120_000);
});
