import { describe, expect, it } from 'vitest';
import { bearer, rememberSecretsIn, startTestApp } from '../support/app';
import { expectProblem } from '../support/api';
import { rowCounts } from '../support/db';

/**
 * Text that is not valid Unicode (a lone UTF-16 surrogate, which JSON's `\ud800` escape can
 * carry) is refused with 400 validation-failed on every string field, before anything is
 * written: no row, no audit event, no token.
 */

const LONE = '\\ud800';
const LOW = 'x\\udfff';

describe('text that is not valid Unicode', () => {
  it('is a 400 validation-failed on every body field and field name, and nothing is written', async () => {
    const t = await startTestApp();
    try {
      const cases: [string, string, string][] = [
        ['POST', '/v1/tokens', `{"name":"${LONE}","role":"admin"}`],
        ['POST', '/v1/tokens', `{"name":"ops ${LOW}","role":"admin"}`],
        ['POST', '/v1/networks', `{"name":"n${LONE}","ipv4Cidr":"10.90.0.0/24"}`],
        ['POST', '/v1/networks/default/peers', `{"name":"${LONE}","delivery":"link"}`],
        ['POST', '/v1/networks/default/enrollment-keys', `{"name":"${LOW}"}`],
        ['POST', '/v1/networks/default/peers', `{"name":"fine","delivery":"link","${LONE}":1}`],
        ['PATCH', '/v1/networks/default', `{"dns":["${LONE}"]}`],
      ];
      const before = await rowCounts(t.sql);
      for (const [method, path, body] of cases) {
        const res = await t.http[method.toLowerCase() as 'post' | 'patch'](path)
          .set(bearer(t.adminToken))
          .set('Content-Type', 'application/json')
          .send(body);
        expectProblem(res, 400, 'validation-failed');
        expect(JSON.stringify(res.body.errors), `${method} ${path} ${body}`).toContain('valid Unicode');
      }
      expect(await rowCounts(t.sql)).toEqual(before);
      // A well-formed pair (an emoji) is Unicode and accepted.
      const ok = await t.http
        .post('/v1/tokens')
        .set(bearer(t.adminToken))
        .set('Content-Type', 'application/json')
        .send('{"name":"ops \\ud83d\\ude00","role":"admin"}');
      rememberSecretsIn(ok.body);
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    } finally {
      await t.close();
    }
  });
});
