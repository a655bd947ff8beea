import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { newSecret } from '../../src/domain/tokens/tokens';
import { rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { Api } from '../support/api';
import { rowCounts } from '../support/db';
import { freshWindow } from '../support/limits';

/**
 * One decision about what a path is: the router and every middleware (abuse limits,
 * Cache-Control, the JSON-only check) read the same path. A spelling of a route in another
 * case, with a trailing slash or with a percent-encoded letter either is not that route (404
 * `not-found` from the router, nothing done) or is counted, marked no-store and JSON-checked
 * like the canonical spelling.
 */

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A request with the path exactly as written (no URL normalisation on the way). */
function raw(
  t: TestApp,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Raw> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { Accept: 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { text };
          }
          rememberSecretsIn(parsed);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Spellings of a path: every segment upper-cased once, the whole path upper-cased, a trailing slash, a doubled slash, and each static letter percent-encoded. */
function spellings(path: string, staticSegments: number[]): string[] {
  const segments = path.split('/');
  const out = new Set<string>();
  out.add(path.toUpperCase());
  out.add(`${path}/`);
  out.add(path.replace(/^\//, '//'));
  for (const i of staticSegments) {
    const upper = [...segments];
    upper[i] = upper[i].toUpperCase();
    out.add(upper.join('/'));
    const first = [...segments];
    first[i] = first[i][0].toUpperCase() + first[i].slice(1);
    out.add(first.join('/'));
    const encoded = [...segments];
    encoded[i] = `%${encoded[i].charCodeAt(0).toString(16)}${encoded[i].slice(1)}`;
    out.add(encoded.join('/'));
    const encodedUpper = [...segments];
    encodedUpper[i] = `%${encodedUpper[i].charCodeAt(0).toString(16).toUpperCase()}${encodedUpper[i].slice(1)}`;
    out.add(encodedUpper.join('/'));
  }
  out.delete(path);
  return [...out];
}

/** Not this route: the router's 404 (nothing ran). */
function isRouteNotFound(res: Raw): boolean {
  return res.status === 404 && res.body.code === 'not-found';
}

describe('path spelling', () => {
  it('no spelling of a limited route escapes its limit', async () => {
    const t = await startTestApp({
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_PER_MINUTE: '1',
      RATE_LIMIT_ENROLL_PER_ADDRESS: '1',
      RATE_LIMIT_CLAIM_PER_ADDRESS: '1',
    });
    try {
      const api = new Api(t);
      const admin = { Authorization: `Bearer ${t.adminToken}` };
      const json = { ...admin, 'Content-Type': 'application/json' };
      const peer = await api.enroll('default', t.adminToken, { name: 'reissued', delivery: 'link' });
      expect(peer.status).toBe(201);
      const peerId = peer.body.peer.id as string;
      const claim = newSecret('claim');
      await freshWindow(t.sql);
      // Each route gets its own client address; the canonical spelling spends the allowance of 1.
      const routes: {
        method: string;
        path: string;
        statics: number[];
        headers: Record<string, string>;
        body?: string;
      }[] = [
        { method: 'GET', path: '/v1/whoami', statics: [1, 2], headers: admin },
        { method: 'GET', path: '/v1/networks/default/peers', statics: [1, 2, 4], headers: admin },
        {
          method: 'POST',
          path: '/v1/networks/default/peers',
          statics: [1, 2, 4],
          headers: json,
          body: JSON.stringify({ name: 'spelled', delivery: 'link' }),
        },
        { method: 'POST', path: `/v1/peers/${peerId}/reissue`, statics: [1, 2, 4], headers: json, body: '{}' },
        { method: 'POST', path: `/v1/claims/${claim}`, statics: [1, 2], headers: {} },
        { method: 'GET', path: `/claim/${claim}`, statics: [1], headers: { Accept: 'text/html' } },
      ];
      let address = 10;
      const escaped: string[] = [];
      for (const route of routes) {
        const xff = { 'X-Forwarded-For': `198.51.100.${address++}` };
        const first = await raw(t, route.method, route.path, { ...route.headers, ...xff }, route.body);
        expect(first.status, `${route.method} ${route.path}`).not.toBe(429);
        const before = await rowCounts(t.sql);
        for (const spelling of spellings(route.path, route.statics)) {
          const res = await raw(t, route.method, spelling, { ...route.headers, ...xff }, route.body);
          if (!(res.status === 429 || isRouteNotFound(res))) {
            escaped.push(`${route.method} ${spelling} → ${res.status} ${String(res.body.code)}`);
          }
        }
        expect(await rowCounts(t.sql)).toEqual(before);
      }
      expect(escaped).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('every spelling that reaches a handler is no-store and refuses a body that is not JSON', async () => {
    const t = await startTestApp();
    try {
      const admin = { Authorization: `Bearer ${t.adminToken}` };
      const claim = newSecret('claim');
      const gets = [
        ...spellings('/v1/whoami', [1, 2]),
        ...spellings('/v1/networks/default/peers', [1, 2, 4]),
        ...spellings(`/claim/${claim}`, [1]),
        '/v1/networks/d%65fault/peers',
      ];
      const leaks: string[] = [];
      for (const path of gets) {
        const res = await raw(t, 'GET', path, admin);
        if (!isRouteNotFound(res) && res.headers['cache-control'] !== 'no-store') {
          leaks.push(`GET ${path} → ${res.status} cache-control ${String(res.headers['cache-control'])}`);
        }
      }
      const posts = [
        ...spellings('/v1/networks/default/peers', [1, 2, 4]),
        ...spellings('/v1/tokens', [1, 2]),
        ...spellings(`/v1/claims/${claim}`, [1, 2]),
        '/v1/networks/d%65fault/peers',
      ];
      const before = await rowCounts(t.sql);
      for (const path of posts) {
        const res = await raw(
          t,
          'POST',
          path,
          { ...admin, 'Content-Type': 'text/plain' },
          'name=x&role=admin&delivery=link',
        );
        if (!isRouteNotFound(res) && res.status !== 415) {
          leaks.push(`POST ${path} (text/plain) → ${res.status} ${String(res.body.code)}`);
        }
      }
      expect(leaks).toEqual([]);
      expect(await rowCounts(t.sql)).toEqual(before);
      // The canonical spellings still work.
      expect((await raw(t, 'GET', '/v1/whoami', admin)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
