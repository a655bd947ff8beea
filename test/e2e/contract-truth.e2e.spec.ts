import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIM_TOKEN_PATTERN, newSecret } from '../../src/domain/tokens/tokens';
import { KEY_PATTERN } from '../../src/domain/keys/key-pattern';
import { ENDPOINT_PATTERN, NETWORK_NAME_PATTERN } from '../../src/domain/text/text';
import { IPV4_CIDR_PATTERN, IPV6_CIDR_PATTERN } from '../../src/domain/ipam/cidr';
import { IDEMPOTENCY_KEY_PATTERN } from '../../src/enrollment/idempotency';
import { bearer, startTestApp } from '../support/app';
import { expectProblem } from '../support/api';

/** The committed contract and the answers agree on authentication. */
const spec = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8')) as {
  servers: unknown[];
  components: { securitySchemes: Record<string, { bearerFormat?: string }> };
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
};

describe('the contract tells the truth about authentication', () => {
  it('declares servers, an opaque bearer format and security on every operation', () => {
    expect(spec.servers.length).toBeGreaterThan(0);
    for (const scheme of Object.values(spec.components.securitySchemes)) {
      expect(scheme.bearerFormat).not.toBe('JWT');
    }
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(Array.isArray(operation.security), `${method} ${path}`).toBe(true);
        // An operation with no requirement never declares a 401; one with a requirement does.
        expect('401' in operation.responses, `${method} ${path}`).toBe(operation.security!.length > 0);
      }
    }
  });

  it('answers 401 with WWW-Authenticate: Bearer', async () => {
    const t = await startTestApp();
    try {
      for (const res of [
        await t.http.get('/v1/networks'),
        await t.http.get('/v1/networks').set(bearer(newSecret('apiToken'))),
      ]) {
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
      expectProblem(await t.http.get('/v1/whoami').set(bearer('wgt_short')), 401, 'invalid-credential');
    } finally {
      await t.close();
    }
  });
});

describe('the contract publishes the patterns the server checks (one source)', () => {
  type Schema = { properties: Record<string, { pattern?: string; items?: { pattern?: string } }> };
  const body = (path: string, method: string) =>
    (
      spec.paths[path][method] as unknown as {
        requestBody: { content: { 'application/json': { schema: Schema } } };
      }
    ).requestBody.content['application/json'].schema.properties;
  const parameter = (path: string, method: string, name: string) =>
    (
      spec.paths[path][method] as unknown as { parameters: { name: string; schema: { pattern?: string } }[] }
    ).parameters.find((p) => p.name === name)!.schema.pattern;

  it('keys, the network slug, ranges, host:port, the claim token and the Idempotency-Key', () => {
    const network = body('/v1/networks', 'post');
    expect(network.name.pattern).toBe(NETWORK_NAME_PATTERN.source);
    expect(network.ipv4Cidr.pattern).toBe(IPV4_CIDR_PATTERN.source);
    expect(network.ipv6Cidr.pattern).toBe(IPV6_CIDR_PATTERN.source);
    expect(network.allowedIps.items!.pattern).toBe(`${IPV4_CIDR_PATTERN.source}|${IPV6_CIDR_PATTERN.source}`);
    expect(network.endpoint.pattern).toBe(ENDPOINT_PATTERN.source);
    expect(network.hubPublicKey.pattern).toBe(KEY_PATTERN.source);
    expect(body('/v1/networks/{network}/peers', 'post').publicKey.pattern).toBe(KEY_PATTERN.source);
    expect(body('/v1/peers/{id}/reissue', 'post').publicKey.pattern).toBe(KEY_PATTERN.source);
    expect(body('/v1/networks/{network}/hub', 'put').publicKey.pattern).toBe(KEY_PATTERN.source);
    expect(parameter('/v1/claims/{claimToken}', 'post', 'claimToken')).toBe(CLAIM_TOKEN_PATTERN.source);
    expect(parameter('/v1/networks/{network}/peers', 'post', 'Idempotency-Key')).toBe(IDEMPOTENCY_KEY_PATTERN.source);
  });

  it('the server refuses what a pattern refuses, with its own codes', async () => {
    const t = await startTestApp();
    try {
      const admin = bearer(t.adminToken);
      const notAKey = 'x'.repeat(44);
      expect(new RegExp(KEY_PATTERN.source, 'u').test(notAKey)).toBe(false);
      expectProblem(
        await t.http.post('/v1/networks/default/peers').set(admin).send({ name: 'p', publicKey: notAKey }),
        400,
        'invalid-public-key',
      );
      const res = await t.http
        .post('/v1/networks')
        .set(admin)
        .send({ name: 'Bad_Name', ipv4Cidr: '10.0.0/24', endpoint: 'no port' });
      expectProblem(res, 400, 'validation-failed');
      const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['name', 'ipv4Cidr', 'endpoint']));
    } finally {
      await t.close();
    }
  });
});
