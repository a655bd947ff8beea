import { describe, expect, it } from 'vitest';
import { bearer, rememberSecretsIn, startTestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { rowCounts } from '../support/db';

/**
 * Smaller holes: name filters take `%` and `_` literally, a revision beyond 64 bits is a 400,
 * peer names refuse invisible bidi and zero-width characters, DNS entries are IP addresses or
 * host names, and an IPv6 DNS server needs an IPv6 range.
 */
describe('input that passed and should not', () => {
  it('name filters take % and _ literally', async () => {
    const t = await startTestApp();
    try {
      const api = new Api(t);
      for (const name of ['50%-off', 'lab_pc', 'labxpc', 'plain']) {
        expect((await api.enroll('default', t.adminToken, { name, delivery: 'link' })).status).toBe(201);
      }
      const names = async (filter: string) => {
        const res = await t.http
          .get('/v1/networks/default/peers')
          .query({ name: filter })
          .set(bearer(t.adminToken))
          .expect(200);
        return (res.body.items as { name: string }[]).map((p) => p.name).sort();
      };
      expect(await names('%')).toEqual(['50%-off']);
      expect(await names('_')).toEqual(['lab_pc']);
      expect(await names('lab_')).toEqual(['lab_pc']);
      expect(await names('LAB')).toEqual(['lab_pc', 'labxpc']);
      expect(await names('\\')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('refuses a revision beyond 64 bits, invisible characters in names and DNS entries that are neither address nor host name', async () => {
    const t = await startTestApp();
    try {
      const api = new Api(t);
      const agent = await api.token('agent', { network: 'default' });
      rememberSecretsIn(agent);
      const before = await rowCounts(t.sql);
      const report = await t.http
        .post('/v1/networks/default/hub/status')
        .set(bearer(agent.token))
        .send({ appliedRevision: '9999999999999999999', configSha256: 'a'.repeat(64) });
      expectProblem(report, 400, 'validation-failed');
      for (const name of ['alice\u202Egnp.exe', 'bob\u200B', '\u2066eve\u2069', 'zw\u200Dj', 'b\uFEFFom']) {
        const res = await t.http
          .post('/v1/networks/default/peers')
          .set(bearer(t.adminToken))
          .send({ name, delivery: 'link' });
        expectProblem(res, 400, 'validation-failed');
      }
      for (const dns of [['-'], [':'], ['.'], ['2606:4700::1111']]) {
        const res = await t.http
          .post('/v1/networks')
          .set(bearer(t.adminToken))
          .send({ name: 'dnsnet', ipv4Cidr: '10.92.0.0/24', endpoint: 'hub.example:51820', dns });
        expect(res.status, JSON.stringify(dns)).toBe(400);
      }
      expect(await rowCounts(t.sql)).toEqual(before);
      const ok = await t.http
        .post('/v1/networks')
        .set(bearer(t.adminToken))
        .send({
          name: 'dnsnet',
          ipv4Cidr: '10.92.0.0/24',
          endpoint: 'hub.example:51820',
          dns: ['1.1.1.1', 'corp.example'],
        });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    } finally {
      await t.close();
    }
  });
});
