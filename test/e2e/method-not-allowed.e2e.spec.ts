import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecret } from '../../src/domain/tokens/tokens';
import { bearer, startTestApp, type TestApp } from '../support/app';
import { expectProblem } from '../support/api';

/**
 * A known path asked with a method it does not serve is 405 with `Allow` (RFC 9110 §15.5.6),
 * OPTIONS is 204 with the same `Allow`, and an unknown path stays 404. Checked for every path
 * of the committed spec (so a route added later is covered with its spec entry) and for the
 * pages, which the spec leaves out.
 */
const spec = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** A concrete path for a template: sample values for its parameters. */
function concrete(template: string): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (name === 'network') {
      return 'default';
    }
    if (name === 'claimToken') {
      return newSecret('claim');
    }
    return randomUUID();
  });
}

/** What `Allow` must say for a path served with these methods. */
function allowFor(served: string[]): string {
  const all = new Set(served);
  if (all.has('GET')) {
    all.add('HEAD');
  }
  all.add('OPTIONS');
  return [...all].sort().join(', ');
}

const PAGES: Record<string, string[]> = { '/': ['GET'], '/status': ['GET'], '/claim/{claimToken}': ['GET'] };

const served: Record<string, string[]> = {
  ...Object.fromEntries(
    Object.entries(spec.paths).map(([path, item]) => [path, Object.keys(item).map((m) => m.toUpperCase())]),
  ),
  ...PAGES,
};

describe('a known path with another method', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('answers 405 problem+json with Allow for every path of the contract and the pages', async () => {
    let checked = 0;
    for (const [template, methods] of Object.entries(served)) {
      const path = concrete(template);
      const allow = allowFor(methods);
      for (const method of METHODS.filter((m) => !allow.split(', ').includes(m))) {
        const res = await t.http[method.toLowerCase() as 'get'](path).set(bearer(t.adminToken));
        expect(res.status, `${method} ${template}`).toBe(405);
        expect(res.headers.allow, `${method} ${template}`).toBe(allow);
        if (method !== 'HEAD') {
          expectProblem(res, 405, 'method-not-allowed');
          // The path is not echoed back: it may hold a secret (a claim token).
          expect(JSON.stringify(res.body)).not.toMatch(/wgc_|\/v1\/|\/claim\//);
        }
        checked++;
      }
      const options = await t.http.options(path);
      expect(options.status, `OPTIONS ${template}`).toBe(204);
      expect(options.headers.allow, `OPTIONS ${template}`).toBe(allow);
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('answers 405 before authentication and the same way for a request without credentials', async () => {
    const res = await t.http.delete('/v1/whoami');
    expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('keeps 404 for unknown paths, other spellings of known ones, and unknown records', async () => {
    for (const path of ['/v1/nothing-here', '/V1/whoami', '/v1/whoami/', '/v1/networks/default/nothing']) {
      const res = await t.http.delete(path).set(bearer(t.adminToken));
      expectProblem(res, 404, 'not-found');
      expect(res.headers.allow).toBeUndefined();
    }
    // A route that ran and found nothing is a 404 of its own code, never a 405.
    expectProblem(await t.http.get(`/v1/peers/${randomUUID()}`).set(bearer(t.adminToken)), 404, 'peer-not-found');
  });
});
