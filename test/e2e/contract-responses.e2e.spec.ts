import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/domain/keys/x25519';
import { newSecret } from '../../src/domain/tokens/tokens';
import { bearer, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { Api } from '../support/api';
import { expectContract, type Answer } from '../support/contract';
import { freshWindow } from '../support/limits';

/**
 * Real answers of the service, each checked against the committed contract (statuses, media
 * types, body schemas, headers): a response that drifts from openapi/openapi.json fails here.
 */
describe('real responses satisfy the committed contract', () => {
  let t: TestApp;
  let api: Api;
  const as = (secret: string) => bearer(secret);
  const check = <T extends Answer>(method: string, template: string, res: T): T => {
    rememberSecretsIn(res.text);
    expectContract(method, template, res);
    return res;
  };

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t);
    await api.createNetwork({ name: 'contract', ipv4Cidr: '10.94.0.0/24', ipv6Cidr: 'fd94::/64' });
  });
  afterAll(() => t?.close());

  it('ops: health, readiness, metrics', async () => {
    check('get', '/healthz', await t.http.get('/healthz'));
    check('get', '/readyz', await t.http.get('/readyz'));
    check('get', '/metrics', await t.http.get('/metrics'));
  });

  it('networks, tokens, enrollment keys, whoami and audit', async () => {
    const admin = as(t.adminToken);
    check(
      'post',
      '/v1/networks',
      await t.http.post('/v1/networks').set(admin).send({
        name: 'contract-2',
        ipv4Cidr: '10.95.0.0/29',
        endpoint: 'hub.example.org:51820',
      }),
    );
    check('get', '/v1/networks', await t.http.get('/v1/networks').set(admin));
    check('get', '/v1/networks/{network}', await t.http.get('/v1/networks/contract').set(admin));
    check(
      'patch',
      '/v1/networks/{network}',
      await t.http.patch('/v1/networks/contract-2').set(admin).send({ quarantineDuplicates: true }),
    );
    const key = check(
      'post',
      '/v1/networks/{network}/enrollment-keys',
      await t.http.post('/v1/networks/contract/enrollment-keys').set(admin).send({ name: 'contract key', maxUses: 5 }),
    );
    check(
      'get',
      '/v1/networks/{network}/enrollment-keys',
      await t.http.get('/v1/networks/contract/enrollment-keys').set(admin),
    );
    const token = check(
      'post',
      '/v1/tokens',
      await t.http.post('/v1/tokens').set(admin).send({ name: 'contract requester', role: 'requester' }),
    );
    check('get', '/v1/tokens', await t.http.get('/v1/tokens').set(admin));
    // whoami for each kind of credential: role is null for an enrollment key.
    check('get', '/v1/whoami', await t.http.get('/v1/whoami').set(admin));
    const asKey = check('get', '/v1/whoami', await t.http.get('/v1/whoami').set(as(key.body.key as string)));
    expect(asKey.body).toMatchObject({ kind: 'enrollment-key', role: null });
    check('get', '/v1/whoami', await t.http.get('/v1/whoami').set(as(token.body.token as string)));
    check('get', '/v1/audit', await t.http.get('/v1/audit').set(admin));
    check(
      'delete',
      '/v1/networks/{network}/enrollment-keys/{id}',
      await t.http.delete(`/v1/networks/contract/enrollment-keys/${key.body.id}`).set(admin),
    );
    check('delete', '/v1/tokens/{id}', await t.http.delete(`/v1/tokens/${token.body.id}`).set(admin));
  });

  it('enrollment (JSON, text/plain, idempotent replay and its 409), claims, peers, reissue, revoke', async () => {
    const admin = as(t.adminToken);
    const enroll = '/v1/networks/{network}/peers';
    const inline = check(
      'post',
      enroll,
      await t.http.post('/v1/networks/contract/peers').set(admin).send({ name: 'json' }),
    );
    expect(inline.status).toBe(201);
    check(
      'post',
      enroll,
      await t.http.post('/v1/networks/contract/peers').set(admin).set('Accept', 'text/plain').send({ name: 'text' }),
    );
    // A replay of an inline enrollment: 409 idempotent-replay naming the peer.
    const idem = { 'Idempotency-Key': randomUUID() };
    const body = { name: 'idem', publicKey: generateKeyPair().publicKey };
    check('post', enroll, await t.http.post('/v1/networks/contract/peers').set(admin).set(idem).send(body));
    const replay = check(
      'post',
      enroll,
      await t.http.post('/v1/networks/contract/peers').set(admin).set(idem).send(body),
    );
    expect(replay.body).toMatchObject({ code: 'idempotent-replay', peer: { name: 'idem' } });
    // A replay of a link enrollment not redeemed yet: 200 with Idempotent-Replayed.
    const linkKey = { 'Idempotency-Key': randomUUID() };
    const link = check(
      'post',
      enroll,
      await t.http.post('/v1/networks/contract/peers').set(admin).set(linkKey).send({ name: 'link', delivery: 'link' }),
    );
    const replayed = check(
      'post',
      enroll,
      await t.http.post('/v1/networks/contract/peers').set(admin).set(linkKey).send({ name: 'link', delivery: 'link' }),
    );
    expect(replayed.status).toBe(200);
    const claimToken = /wgc_[A-Za-z0-9_-]+$/.exec(link.body.claim.url as string)![0];
    check('post', '/v1/claims/{claimToken}', await t.http.post(`/v1/claims/${claimToken}`));
    check('post', '/v1/claims/{claimToken}', await t.http.post(`/v1/claims/${claimToken}`)); // 410
    const second = check(
      'post',
      enroll,
      await t.http.post('/v1/networks/contract/peers').set(admin).send({ name: 'link-2', delivery: 'link' }),
    );
    const token2 = /wgc_[A-Za-z0-9_-]+$/.exec(second.body.claim.url as string)![0];
    check(
      'post',
      '/v1/claims/{claimToken}',
      await t.http.post(`/v1/claims/${token2}`).set('Accept', 'application/json'),
    );

    const id = inline.body.peer.id as string;
    check('get', '/v1/peers/{id}', await t.http.get(`/v1/peers/${id}`).set(admin));
    check('get', '/v1/networks/{network}/peers', await t.http.get('/v1/networks/contract/peers').set(admin));
    // The reissue body is optional: none at all is the defaults.
    check('post', '/v1/peers/{id}/reissue', await t.http.post(`/v1/peers/${id}/reissue`).set(admin));
    check('delete', '/v1/peers/{id}', await t.http.delete(`/v1/peers/${id}`).set(admin));
  });

  it('the hub: register, desired state 200 and 304, status report, network status', async () => {
    const admin = as(t.adminToken);
    const hub = generateKeyPair().publicKey;
    check(
      'put',
      '/v1/networks/{network}/hub',
      await t.http.put('/v1/networks/contract/hub').set(admin).send({ publicKey: hub, replaceKey: true }),
    );
    const state = check(
      'get',
      '/v1/networks/{network}/hub/desired-state',
      await t.http.get('/v1/networks/contract/hub/desired-state').set(admin),
    );
    expect(state.status).toBe(200);
    const unchanged = check(
      'get',
      '/v1/networks/{network}/hub/desired-state',
      await t.http
        .get('/v1/networks/contract/hub/desired-state')
        .set(admin)
        .set('If-None-Match', state.headers.etag as string),
    );
    expect(unchanged.status).toBe(304);
    check(
      'post',
      '/v1/networks/{network}/hub/status',
      await t.http
        .post('/v1/networks/contract/hub/status')
        .set(admin)
        .send({
          appliedRevision: state.body.revision,
          configSha256: createHash('sha256').update('contract').digest('hex'),
          peers: [],
        }),
    );
    check('get', '/v1/networks/{network}/status', await t.http.get('/v1/networks/contract/status').set(admin));
  });

  it('problems: 400, 401, 404, 405, 409', async () => {
    const admin = as(t.adminToken);
    check('post', '/v1/networks', await t.http.post('/v1/networks').set(admin).send({ name: 'Not A Slug' }));
    check('get', '/v1/networks', await t.http.get('/v1/networks'));
    check('get', '/v1/whoami', await t.http.get('/v1/whoami').set(as(newSecret('apiToken'))));
    check('get', '/v1/peers/{id}', await t.http.get(`/v1/peers/${randomUUID()}`).set(admin));
    check('get', '/v1/networks/{network}', await t.http.get('/v1/networks/nowhere').set(admin));
    check('post', '/v1/claims/{claimToken}', await t.http.post(`/v1/claims/${newSecret('claim')}`));
    check('get', '/v1/whoami', await t.http.delete('/v1/whoami').set(admin));
    check('get', '/v1/networks', await t.http.put('/v1/networks').set(admin).send({}));
    check(
      'post',
      '/v1/networks',
      await t.http
        .post('/v1/networks')
        .set(admin)
        .send({ name: 'contract', ipv4Cidr: '10.96.0.0/24', endpoint: 'hub.example.org:51820' }),
    );
    const key = generateKeyPair().publicKey;
    await t.http.post('/v1/networks/contract/peers').set(admin).send({ name: 'holder', publicKey: key }).expect(201);
    const taken = check(
      'post',
      '/v1/networks/{network}/peers',
      await t.http.post('/v1/networks/contract/peers').set(admin).send({ name: 'taker', publicKey: key }),
    );
    expect(taken.body.code).toBe('public-key-in-use');
  });

  it('problems: 429 with Retry-After', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1' });
    try {
      await freshWindow(limited.sql);
      const admin = as(limited.adminToken);
      check('get', '/v1/whoami', await limited.http.get('/v1/whoami').set(admin));
      const res = check('get', '/v1/whoami', await limited.http.get('/v1/whoami').set(admin));
      expect(res.status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
