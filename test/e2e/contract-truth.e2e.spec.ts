import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newSecret } from '../../src/domain/tokens/tokens';
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
