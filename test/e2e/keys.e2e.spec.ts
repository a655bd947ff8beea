import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/domain/keys/x25519';
import { bearer, rememberSecretsIn, startTestApp } from '../support/app';
import { Api, expectProblem } from '../support/api';
import { rowCounts } from '../support/db';

/**
 * Keys that cannot work are refused: the hub's own key as a peer key, a hub key that a live
 * peer holds, and a key that differs from a live one only in the top bit (RFC 7748 masks it:
 * the same curve point, the same peer to WireGuard).
 */

/** The same key with the top bit of its last byte set. */
function withTopBit(key: string): string {
  const bytes = Buffer.from(key, 'base64');
  bytes[31] |= 0x80;
  return bytes.toString('base64');
}

describe('keys that cannot work', () => {
  it('refuses the hub key as a peer key, a peer key as the hub key, and top-bit twins', async () => {
    const t = await startTestApp();
    try {
      const api = new Api(t);
      const hub = generateKeyPair().publicKey;
      await api.createNetwork({ name: 'keys', ipv4Cidr: '10.91.0.0/24', hubPublicKey: hub });
      const enroll = (publicKey: string, name: string) =>
        t.http
          .post('/v1/networks/keys/peers')
          .set(bearer(t.adminToken))
          .send({ name, publicKey, delivery: 'inline' })
          .then((res) => {
            rememberSecretsIn(res.body);
            return res;
          });
      const before = await rowCounts(t.sql);
      expectProblem(await enroll(hub, 'hub-twin'), 409, 'public-key-is-hub-key');
      expectProblem(await enroll(withTopBit(hub), 'hub-twin-2'), 409, 'public-key-is-hub-key');
      expect(await rowCounts(t.sql)).toEqual(before);

      const device = generateKeyPair().publicKey;
      const first = await enroll(device, 'device');
      expect(first.status).toBe(201);
      const afterFirst = await rowCounts(t.sql);
      expectProblem(await enroll(withTopBit(device), 'device-twin'), 409, 'public-key-in-use');
      expect(await rowCounts(t.sql)).toEqual(afterFirst);

      for (const key of [device, withTopBit(device)]) {
        const res = await t.http
          .put('/v1/networks/keys/hub')
          .set(bearer(t.adminToken))
          .send({ publicKey: key, replaceKey: true });
        expectProblem(res, 409, 'hub-key-in-use');
      }
      const network = await t.sql.query<{ k: string }>("SELECT hub_public_key AS k FROM network WHERE name = 'keys'");
      expect(network.rows[0].k).toBe(hub);
      expect(await rowCounts(t.sql)).toEqual(afterFirst);
      // A key stored with the top bit set is stored in its canonical form.
      const other = generateKeyPair().publicKey;
      const twin = await enroll(withTopBit(other), 'stored-canonical');
      expect(twin.status).toBe(201);
      const stored = await t.sql.query<{ k: string }>(
        "SELECT public_key AS k FROM peer WHERE name = 'stored-canonical'",
      );
      expect(stored.rows[0].k).toBe(other);
    } finally {
      await t.close();
    }
  });
});
