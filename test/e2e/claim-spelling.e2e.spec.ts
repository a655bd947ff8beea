import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { logLinesOfThisProcess, startTestApp, type TestApp } from '../support/app';
import { Api, type EnrolledByLink } from '../support/api';
import { rowCounts } from '../support/db';

/**
 * A claim token is accepted only in its canonical spelling (`wgc_` and 43 base64url
 * characters, nothing percent-encoded), and the access log names the route template, never
 * the path with the token in it.
 */

function raw(t: TestApp, method: string, path: string): Promise<{ status: number; text: string }> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { Accept: 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Other spellings of one token: percent-encoded underscore, first letter, both, lower-case hex. */
function otherSpellings(token: string): string[] {
  const tail = token.slice(4);
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
  return [
    `wgc%5F${tail}`,
    `wgc%5f${tail}`,
    `%77gc_${tail}`,
    `%77%67%63%5F${tail}`,
    `wgc_${hex(tail[0])}${tail.slice(1)}`,
  ];
}

describe('claim token spelling', () => {
  it('another spelling of a live token is not found, changes nothing and leaves the token claimable', async () => {
    const t = await startTestApp();
    try {
      const api = new Api(t);
      const link = await api.enroll('default', t.adminToken, { name: 'spelled', delivery: 'link' });
      expect(link.status).toBe(201);
      const url = (link.body as EnrolledByLink).claim.url;
      const token = /\/claim\/(wgc_[A-Za-z0-9_-]+)/.exec(url)![1];
      const before = await rowCounts(t.sql);
      const spellings = otherSpellings(token);
      expect(spellings.length).toBeGreaterThanOrEqual(5);
      for (const spelling of spellings) {
        const page = await raw(t, 'GET', `/claim/${spelling}`);
        expect(page.status, `GET /claim/${spelling}`).toBe(404);
        const api404 = await raw(t, 'POST', `/v1/claims/${spelling}`);
        expect(api404.status, `POST /v1/claims/${spelling}`).toBe(404);
        expect(JSON.parse(api404.text).code).toBe('claim-not-found');
      }
      // Nothing written (no audit event of a refused claim either: no lookup happened).
      expect(await rowCounts(t.sql)).toEqual(before);
      // The canonical spelling still works, once.
      expect((await raw(t, 'GET', `/claim/${token}`)).status).toBe(200);
      expect((await api.claim(url)).status).toBe(200);

      // The access log: route templates, and not one character run of the token's secret part.
      let lines: Record<string, unknown>[] = [];
      const expected = spellings.length * 2 + 2;
      for (let i = 0; i < 50; i++) {
        lines = logLinesOfThisProcess().filter((l) => l.msg === 'request' && /claim/i.test(String(l.path)));
        if (lines.length >= expected) {
          break;
        }
        await sleep(50);
      }
      expect(lines.length).toBeGreaterThanOrEqual(expected);
      expect(new Set(lines.map((l) => l.path))).toEqual(new Set(['/claim/:claimToken', '/v1/claims/:claimToken']));
      const secretPart = token.slice(12);
      const leaking = logLinesOfThisProcess()
        .map((l) => JSON.stringify(l))
        .filter((l) => l.includes(secretPart));
      expect(leaking).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('a request no route takes is logged with its path decoded and redacted', async () => {
    const t = await startTestApp();
    try {
      const token = `wgc_${'A'.repeat(43)}`;
      expect((await raw(t, 'GET', `/claim/x/wgc%5F${token.slice(4)}`)).status).toBe(404);
      let line: Record<string, unknown> | undefined;
      for (let i = 0; i < 50 && line === undefined; i++) {
        line = logLinesOfThisProcess().find((l) => l.msg === 'request' && String(l.path).startsWith('/claim/x/'));
        await sleep(20);
      }
      expect(line?.path).toBe(`/claim/x/${token.slice(0, 12)}…`);
    } finally {
      await t.close();
    }
  });
});
