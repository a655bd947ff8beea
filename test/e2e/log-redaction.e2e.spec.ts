import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JsonLogger } from '../../src/common/logging/json-logger';
import { SECRET_FIELD_NAMES } from '../../src/common/logging/redact';
import { generateKeyPair, generatePresharedKey } from '../../src/domain/keys/x25519';
import { newSecret } from '../../src/domain/tokens/tokens';
import { bearer, startTestApp } from '../support/app';

/**
 * Invariant 7 at the logger: every field name the service knows to hold a secret, in every
 * spelling it may take (camelCase, snake_case, UPPER_CASE, kebab-case, HTTP header case), at
 * every depth, through every way a line is written (object, string, Error, extra arguments).
 * Each secret is a fresh random value, so a single leak shows up as a substring of the output.
 */

function spellings(name: string): string[] {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(' ');
  const camel = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
  const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return [
    ...new Set([
      camel,
      pascal,
      words.join('_'),
      words.join('_').toUpperCase(),
      words.join('-'),
      words.map((w) => w[0].toUpperCase() + w.slice(1)).join('-'),
    ]),
  ];
}

function capture(): { logger: JsonLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new JsonLogger('debug', (line) => lines.push(line)), lines };
}

const opaque = () => randomBytes(24).toString('hex'); // a secret with no recognisable shape

describe('log redaction', () => {
  const names = [...SECRET_FIELD_NAMES, 'x-api-token', 'private_key_enc', 'claim', 'secretHash', 'DATABASE_URL'];

  it('knows the secret fields the service handles', () => {
    // A new kind of secret must be added to SECRET_FIELD_NAMES (and so to this test).
    for (const required of ['privateKey', 'presharedKey', 'token', 'enrollmentKey', 'claimToken', 'authorization']) {
      expect(SECRET_FIELD_NAMES).toContain(required);
    }
  });

  it.each(names.flatMap((n) => spellings(n)))(
    'removes the value of field %s at every depth and in every call shape',
    (field) => {
      const { logger, lines } = capture();
      const secrets: string[] = [];
      const s = () => {
        const v = opaque();
        secrets.push(v);
        return v;
      };
      logger.log({ msg: 'top', [field]: s() });
      logger.log({ msg: 'nested', request: { headers: { [field]: s() }, body: { items: [{ [field]: s() }] } } });
      logger.warn({ msg: 'object value', [field]: { value: s(), more: [s()] } });
      logger.error({ msg: 'in an error detail' }, { [field]: s() });
      logger.debug('a string message', 'Ctx');
      logger.log({ msg: 'map', headers: new Map([[field, s()]]) });
      const text = lines.join('\n');
      expect(lines.length).toBe(6);
      for (const v of secrets) {
        expect(text).not.toContain(v);
      }
      expect(text).toContain('[redacted]');
    },
  );

  it('removes secrets by their shape wherever they appear in text', () => {
    const { logger, lines } = capture();
    const token = newSecret('apiToken');
    const enrollmentKey = newSecret('enrollmentKey');
    const claimToken = newSecret('claim');
    const pair = generateKeyPair();
    const psk = generatePresharedKey();
    const dbPassword = opaque();
    const bearerOpaque = opaque();
    logger.log(`Authorization: Bearer ${token}`);
    logger.log(`POST /v1/claims/${claimToken} enrollment key ${enrollmentKey}`);
    logger.log({
      msg: 'config',
      text: `[Interface]\nPrivateKey = ${pair.privateKey}\n[Peer]\nPresharedKey = ${psk}\n`,
    });
    logger.log({ msg: JSON.stringify({ privateKey: pair.privateKey, preshared_key: psk }) });
    logger.error(new Error(`connect postgres://wg:${dbPassword}@db.example:5432/wg failed`));
    logger.warn({ msg: 'upstream said', header: `Bearer ${bearerOpaque}` });
    logger.log({ msg: 'path', path: `/claim/${claimToken}` });
    const text = lines.join('\n');
    for (const secret of [token, enrollmentKey, claimToken, pair.privateKey, psk, dbPassword, bearerOpaque]) {
      expect(text).not.toContain(secret);
    }
    // The masked prefix stays, so a line can still be matched to a credential.
    expect(text).toContain(token.slice(0, 12));
    expect(text).toContain('postgres://wg:[redacted]@db.example');
  });

  it('drops what is nested deeper than it walks instead of writing it unredacted', () => {
    const { logger, lines } = capture();
    const secret = opaque();
    let deep: Record<string, unknown> = { privateKey: secret };
    for (let i = 0; i < 12; i++) {
      deep = { level: deep };
    }
    logger.log({ msg: 'deep', deep });
    expect(lines.join('\n')).not.toContain(secret);
    expect(lines.join('\n')).toContain('[too deep]');
  });

  it('keeps ordinary fields readable', () => {
    const { logger, lines } = capture();
    logger.log({ msg: 'request', requestId: 'r-1', method: 'POST', path: '/v1/networks/default/peers', status: 201 });
    expect(JSON.parse(lines[0])).toMatchObject({ msg: 'request', requestId: 'r-1', status: 201, level: 'info' });
  });

  it('writes no secret a real request carried (Authorization, claim token in the path)', async () => {
    const lines: string[] = [];
    const t = await startTestApp();
    try {
      const logger = new JsonLogger('debug', (line) => lines.push(line));
      t.app.useLogger(logger);
      const wrong = newSecret('apiToken');
      const claim = newSecret('claim');
      await t.http.get('/v1/networks').set(bearer(wrong)).expect(401);
      await t.http.post(`/v1/claims/${claim}`).expect(404);
      await t.http.get('/v1/networks').set(bearer(t.adminToken)).expect(200);
      const text = lines.join('\n');
      expect(text).toContain('"msg":"request"');
      for (const secret of [wrong, claim, t.adminToken]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await t.close();
    }
  });
});
