import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecret } from '../../src/domain/tokens/tokens';
import { bearer, rememberSecretsIn, startTestApp, type TestApp } from '../support/app';
import { expectProblem } from '../support/api';
import { rowCounts } from '../support/db';
import { BROWSER_MISSING, openBrowser } from '../support/browser';
import { PAGE_CSP } from '../../src/web/web-files';

/** Security headers (helmet), CORS closed by default, body limits. */

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('are on API answers, problems included', async () => {
    for (const res of [
      await t.http.get('/v1/networks').set(bearer(t.adminToken)),
      await t.http.get('/v1/networks'),
      await t.http.get('/healthz'),
    ]) {
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('leave the claim page its own stricter Content-Security-Policy', async () => {
    const res = await t.http.get(`/claim/${newSecret('claim')}`);
    expect(res.status).toBe(404);
    expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it.skipIf(BROWSER_MISSING)(
    `let Swagger UI at /docs render under the policy (headless Chromium)${BROWSER_MISSING}`,
    async () => {
      const browser = await openBrowser();
      try {
        await browser.page.goto(`${t.url}/docs`);
        // Operations are drawn by Swagger UI's script: present only if the CSP let it run.
        await browser.page.locator('.opblock').first().waitFor({ timeout: 15_000 });
        expect(await browser.page.content()).toContain('/v1/networks/{network}/peers');
      } finally {
        await browser.close();
      }
    },
  );
});

describe('CORS', () => {
  it('is closed by default: no CORS headers for any origin, preflight not answered', async () => {
    const t = await startTestApp();
    try {
      const res = await t.http.get('/v1/networks').set(bearer(t.adminToken)).set('Origin', 'https://evil.example');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const pre = await t.http
        .options('/v1/networks')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      expect(pre.headers['access-control-allow-methods']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('allows exactly the origins in CORS_ORIGINS', async () => {
    const t = await startTestApp({ CORS_ORIGINS: 'https://admin.example.org, https://ops.example.org' });
    try {
      const ok = await t.http.get('/v1/networks').set(bearer(t.adminToken)).set('Origin', 'https://admin.example.org');
      expect(ok.headers['access-control-allow-origin']).toBe('https://admin.example.org');
      expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
      expect(ok.headers['access-control-expose-headers']).toContain('Retry-After');
      const pre = await t.http
        .options('/v1/networks/default/peers')
        .set('Origin', 'https://ops.example.org')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('https://ops.example.org');
      expect(pre.headers['access-control-allow-headers']).toContain('Idempotency-Key');
      const other = await t.http.get('/v1/networks').set(bearer(t.adminToken)).set('Origin', 'https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('refuses a malformed CORS_ORIGINS or TRUST_PROXY at start, naming the variable', async () => {
    await expect(startTestApp({ CORS_ORIGINS: 'https://admin.example.org/path' })).rejects.toThrow(/CORS_ORIGINS/);
    await expect(startTestApp({ TRUST_PROXY: 'true' })).rejects.toThrow(/TRUST_PROXY/);
    await expect(startTestApp({ TRUST_PROXY: '10.0.0.0/33' })).rejects.toThrow(/TRUST_PROXY/);
  });
});

describe('body limit', () => {
  it('BODY_LIMIT is enforced: 413 payload-too-large, nothing changed', async () => {
    const t = await startTestApp({ BODY_LIMIT: '1kb' });
    try {
      const before = await rowCounts(t.sql);
      const res = await t.http
        .post('/v1/networks/default/peers')
        .set(bearer(t.adminToken))
        .send({ name: 'big', delivery: 'link', pad: 'x'.repeat(2000) });
      expectProblem(res, 413, 'payload-too-large');
      expect(await rowCounts(t.sql)).toEqual(before);
      const small = await t.http
        .post('/v1/networks/default/peers')
        .set(bearer(t.adminToken))
        .send({ name: 'small', delivery: 'link' });
      rememberSecretsIn(small.body);
      expect(small.status).toBe(201);
    } finally {
      await t.close();
    }
  });
});
