import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { rowCounts } from '../support/db';
import { freshWindow } from '../support/limits';

let t: TestApp;
let api: Api;
let key: string;

// Little-endian encodings of low-order points: u = 0 and the order-8 point 325606…504.
const LOW_ORDER_ZERO = Buffer.alloc(32).toString('base64');
const LOW_ORDER_8 = (() => {
  let u = 325606250916557431795983626356110631294008115727848805560023387167927233504n;
  const bytes = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) {
    bytes[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return bytes.toString('base64');
})();

beforeAll(async () => {
  t = await startTestApp();
  api = new Api(t);
  key = await api.enrollmentKey('default', { maxUses: 5 });
});
afterAll(() => t?.close());

/** Sends the request and proves it changed no row anywhere (invariant 8). */
async function rejected(
  send: () => Promise<{ status: number; type: string; body: Record<string, unknown> }>,
  status: number,
  code: string,
) {
  const before = await rowCounts(t.sql);
  const res = await send();
  expectProblem(res, status, code);
  expect(await rowCounts(t.sql)).toEqual(before);
  return res;
}

const enroll = (secret: string, body: unknown, network = 'default') =>
  t.http
    .post(`/v1/networks/${network}/peers`)
    .set(bearer(secret))
    .send(body as object);

describe('bad input gets a problem response and changes nothing (invariant 8)', () => {
  it('refuses bad public keys', async () => {
    await rejected(() => enroll(key, { name: 'a', publicKey: 'not-a-key' }), 400, 'invalid-public-key');
    await rejected(() => enroll(key, { name: 'a', publicKey: LOW_ORDER_ZERO }), 400, 'invalid-public-key');
    await rejected(() => enroll(key, { name: 'a', publicKey: LOW_ORDER_8 }), 400, 'invalid-public-key');
    await rejected(() => enroll(key, { name: 'a', publicKey: 'AAAA' }), 400, 'invalid-public-key');
  });

  it('refuses control characters in names, so no line can be added to a config', async () => {
    const res = await rejected(() => enroll(key, { name: 'evil\nPostUp = rm -rf /' }), 400, 'validation-failed');
    expect(res.body.errors).toEqual([{ field: 'name', message: expect.stringContaining('control characters') }]);
    await rejected(() => enroll(key, { name: 'tab\there' }), 400, 'validation-failed');
    await rejected(() => enroll(key, { name: 'sep\u2028x' }), 400, 'validation-failed');
    await rejected(() => enroll(key, { name: '' }), 400, 'validation-failed');
  });

  it('refuses unknown fields, wrong types, malformed JSON, non-JSON bodies and oversized bodies', async () => {
    const res = await rejected(() => enroll(key, { name: 'x', colour: 'red' }), 400, 'validation-failed');
    expect(res.body.errors).toEqual([{ field: 'colour', message: 'unknown field' }]);
    await rejected(() => enroll(key, { name: 42 }), 400, 'validation-failed');
    await rejected(() => enroll(key, { name: 'x', delivery: 'pigeon' }), 400, 'validation-failed');
    await rejected(
      () =>
        t.http
          .post('/v1/networks/default/peers')
          .set(bearer(key))
          .set('Content-Type', 'application/json')
          .send('{"name": '),
      400,
      'malformed-json',
    );
    await rejected(
      () => t.http.post('/v1/networks/default/peers').set(bearer(key)).set('Content-Type', 'text/plain').send('name=x'),
      415,
      'unsupported-media-type',
    );
    await rejected(() => enroll(key, { name: 'x', pad: 'y'.repeat(70_000) }), 413, 'payload-too-large');
  });

  it('answers 401/403/404 with their own codes', async () => {
    await rejected(() => t.http.post('/v1/networks/default/peers').send({ name: 'x' }), 401, 'unauthenticated');
    await rejected(
      () => enroll('wgt_thisisnotarealtokenthisisnotarealtoken12345', { name: 'x' }),
      401,
      'invalid-credential',
    );
    await rejected(
      () => t.http.post('/v1/networks/default/peers').set('Authorization', 'Basic abc').send({ name: 'x' }),
      401,
      'invalid-credential',
    );
    await rejected(() => t.http.get('/v1/tokens').set(bearer(key)), 403, 'forbidden');
    await rejected(() => t.http.get('/v1/nothing-here').set(bearer(t.adminToken)), 404, 'not-found');
    await rejected(() => enroll(t.adminToken, { name: 'x' }, 'no-such-network'), 404, 'network-not-found');
    await rejected(() => t.http.get('/v1/peers/not-a-uuid').set(bearer(t.adminToken)), 404, 'peer-not-found');
    for (const [method, path, code] of [
      ['delete', '/v1/peers/not-a-uuid', 'peer-not-found'],
      ['post', '/v1/peers/not-a-uuid/reissue', 'peer-not-found'],
      ['delete', '/v1/tokens/not-a-uuid', 'token-not-found'],
      ['delete', '/v1/networks/default/enrollment-keys/not-a-uuid', 'enrollment-key-not-found'],
    ] as const) {
      await rejected(() => t.http[method](path).set(bearer(t.adminToken)).send({}), 404, code);
    }
    await rejected(
      () => t.http.delete('/v1/peers/01a21674-a0eb-7561-b389-93e0f4f0caab').set(bearer(t.adminToken)),
      404,
      'peer-not-found',
    );
  });

  it('keeps an enrollment key to its network', async () => {
    await api.createNetwork({ name: 'elsewhere', ipv4Cidr: '10.99.0.0/24' });
    await rejected(() => enroll(key, { name: 'x' }, 'elsewhere'), 404, 'network-not-found');
  });

  it('refuses spent, expired and revoked enrollment keys; a failed enrollment spends no use', async () => {
    const once = await api.enrollmentKey('default', { maxUses: 1 });
    await rejected(() => enroll(once, { name: 'bad\nname' }), 400, 'validation-failed');
    await rejected(() => enroll(once, { name: 'x', publicKey: LOW_ORDER_ZERO }), 400, 'invalid-public-key');
    expect((await api.enroll('default', once, { name: 'first' })).status).toBe(201);
    await rejected(() => enroll(once, { name: 'second' }), 403, 'enrollment-key-spent');

    const expiring = await api.enrollmentKey('default', { expiresAt: new Date(Date.now() + 800).toISOString() });
    await new Promise((r) => setTimeout(r, 900));
    await rejected(() => enroll(expiring, { name: 'late' }), 401, 'enrollment-key-expired');

    const revoked = await t.http.post('/v1/networks/default/enrollment-keys').set(bearer(t.adminToken)).send({});
    await api.token('requester'); // unrelated noise before the revoke
    await t.http
      .delete(`/v1/networks/default/enrollment-keys/${revoked.body.id}`)
      .set(bearer(t.adminToken))
      .expect(204);
    await rejected(() => enroll(revoked.body.key, { name: 'x' }), 401, 'enrollment-key-revoked');
  });

  it('refuses a public key that a live peer already has', async () => {
    const own = 'LqnPQQ9L1Q4zmxwYIkuOcYK0JtP0ZN4KCaf4pnDs/XQ=';
    const first = await api.enroll('default', t.adminToken, { name: 'own-key', publicKey: own });
    expect(first.status).toBe(201);
    expect(first.body.config.text).toContain('\nPrivateKey = <the private key');
    await rejected(() => enroll(t.adminToken, { name: 'copy', publicKey: own }), 409, 'public-key-in-use');
  });

  it('refuses a link delivery as text/plain before creating anything', async () => {
    await rejected(
      () =>
        t.http
          .post('/v1/networks/default/peers')
          .set(bearer(t.adminToken))
          .set('Accept', 'text/plain')
          .send({ name: 'x', delivery: 'link' }),
      406,
      'not-acceptable',
    );
  });

  it('never puts a secret into a list response', async () => {
    const tokens = await t.http.get('/v1/tokens').set(bearer(t.adminToken)).expect(200);
    const keys = await t.http.get('/v1/networks/default/enrollment-keys').set(bearer(t.adminToken)).expect(200);
    const peers = await t.http.get('/v1/networks/default/peers').set(bearer(t.adminToken)).expect(200);
    const text = JSON.stringify([tokens.body, keys.body, peers.body]);
    expect(text).not.toMatch(/wg[tkc]_[A-Za-z0-9_-]{20,}/);
    expect(text).not.toContain(t.adminToken);
    expect(text).not.toContain(key);
    expect(text).not.toMatch(/PrivateKey|PresharedKey|presharedKey|privateKey/);
  });
});

describe('rate limits', () => {
  it('answers 429 problem+json with Retry-After after too many failed authentications', async () => {
    const limited = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '3' });
    try {
      await freshWindow(limited.sql);
      for (let i = 0; i < 3; i++) {
        expectProblem(
          await limited.http.get('/v1/networks').set(bearer('wgt_wrongwrongwrongwrongwrong')),
          401,
          'invalid-credential',
        );
      }
      const res = await limited.http.get('/v1/networks').set(bearer('wgt_wrongwrongwrongwrongwrong'));
      expectProblem(res, 429, 'rate-limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // The guesses slow down the guesser, not the holder of a valid credential.
      await limited.http.get('/v1/networks').set(bearer(limited.adminToken)).expect(200);
    } finally {
      await limited.close();
    }
  });

  it('limits requests per client address', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      await freshWindow(limited.sql);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        statuses.push((await limited.http.get('/v1/networks').set(bearer(limited.adminToken))).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect((await limited.http.get('/healthz')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
