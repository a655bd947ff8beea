// @ts-check
// Pre-fills a network's address pool directly in SQL, as a faster stand-in for tens of thousands
// of enrollments through the API. It mimics what PeersRepository.enroll commits per enrollment:
//   - the host is chosen the way the service chooses it (a random start in first..last, then the
//     first free host at or after it, wrapping around), so the free hosts left behind are spread
//     as they would be after real enrollments;
//   - the host's free_address row is deleted;
//   - a peer row is inserted as an inline enrollment leaves it (status 'active', delivery
//     'inline', served_at set, no private key, revision 0, addresses from the service's own
//     peerAddresses(), a unique random public key, filler bytes for preshared_key_enc);
//   - a lease row with id = peer id, and a 'peer.enrolled' audit event;
//   - the deferred revision trigger runs at each COMMIT exactly as for the service, so every
//     peer ends up with its own network revision.
// With `secretKey` (the service's 32-byte key, e.g. DATA_DIR/secret.key) each peer gets a real
// preshared key sealed exactly as SecretsService.seal does, so the hub's desired state (which
// opens every preshared key) can be served; without it the column holds filler bytes of the
// same size (enough for the status page, not for the desired state).
// Batches of `batchSize` enrollments are committed together (one transaction per batch).

import { createRequire } from 'node:module';
import { randomBytes, randomInt } from 'node:crypto';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { peerAddresses } = require('../../dist/domain/network/network-spec.js');
const { parseIpv4Cidr, firstLeasableHost, lastLeasableHost } = require('../../dist/domain/ipam/cidr.js');
const { uuidv7 } = require('../../dist/domain/ids/uuid.js');
const { SecretBox } = require('../../dist/domain/keys/secret-box.js');

/**
 * @param {object} o
 * @param {string} o.databaseUrl
 * @param {{id: string, name: string, ipv4Cidr: string, ipv6Cidr: string|null}} o.network
 * @param {number} o.count how many enrollments to add
 * @param {string} o.ownerId the actor the service would record (token:<admin token id>)
 * @param {number} [o.batchSize]
 * @param {(done: number) => void} [o.progress]
 * @param {Buffer} [o.secretKey] seal real preshared keys with this key (see above)
 */
export async function sqlPrefill({ databaseUrl, network, count, ownerId, batchSize = 1000, progress, secretKey }) {
  const box = secretKey ? new SecretBox(secretKey) : null;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const v4 = parseIpv4Cidr(network.ipv4Cidr);
    const first = firstLeasableHost();
    const last = lastLeasableHost(v4);
    const { rows } = await client.query(
      'SELECT host_number FROM free_address WHERE network_id = $1 AND available_at <= now()',
      [network.id],
    );
    if (rows.length < count) {
      throw new Error(`sql prefill: only ${rows.length} free hosts, ${count} wanted`);
    }
    const free = new Uint8Array(last + 2);
    for (const r of rows) {
      free[r.host_number] = 1;
    }
    const take = (/** @type {number} */ start) => {
      for (let h = start; h <= last; h++) {
        if (free[h]) {
          free[h] = 0;
          return h;
        }
      }
      for (let h = first; h < start; h++) {
        if (free[h]) {
          free[h] = 0;
          return h;
        }
      }
      throw new Error('sql prefill: pool exhausted');
    };

    let done = 0;
    let seq = 0;
    while (done < count) {
      const n = Math.min(batchSize, count - done);
      const ids = [];
      const names = [];
      const hosts = [];
      const ipv4s = [];
      const ipv6s = [];
      const publicKeys = [];
      const psks = [];
      const details = [];
      for (let i = 0; i < n; i++) {
        const host = take(randomInt(first, last + 1));
        const { ipv4, ipv6 } = peerAddresses(network, host);
        const id = uuidv7();
        const name = `fill-${++seq}`;
        const publicKey = randomBytes(32).toString('base64');
        ids.push(id);
        names.push(name);
        hosts.push(host);
        ipv4s.push(ipv4);
        ipv6s.push(ipv6);
        publicKeys.push(publicKey);
        // version byte + 12-byte IV + 16-byte tag + 44-byte base64 key: the size SecretBox.seal makes.
        psks.push(
          box
            ? Buffer.from(box.seal(randomBytes(32).toString('base64'), `peer:${id}:psk`)).toString('hex')
            : Buffer.concat([Buffer.from([1]), randomBytes(72)]).toString('hex'),
        );
        details.push(JSON.stringify({ name, ipv4, ipv6, publicKey, delivery: 'inline' }));
      }
      await client.query('BEGIN');
      try {
        const deleted = await client.query(
          'DELETE FROM free_address WHERE network_id = $1 AND host_number = ANY($2::int[]) AND available_at <= now()',
          [network.id, hosts],
        );
        if (deleted.rowCount !== n) {
          throw new Error(`sql prefill: expected to take ${n} free hosts, took ${deleted.rowCount}`);
        }
        await client.query(
          `INSERT INTO peer (id, network_id, name, owner_id, host_number, ipv4, ipv6, public_key,
             preshared_key_enc, private_key_enc, status, delivery, claim_token_hash, claim_expires_at,
             served_at, expires_at, revoked_at, revision, created_at, updated_at)
           SELECT u.id, $1::uuid, u.name, $2, u.host, u.ipv4, u.ipv6, u.public_key,
             decode(u.psk, 'hex'), NULL, 'active', 'inline', NULL, NULL,
             now(), NULL, NULL, 0, now(), now()
           FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[])
             AS u(id, name, host, ipv4, ipv6, public_key, psk)`,
          [network.id, ownerId, ids, names, hosts, ipv4s, ipv6s, publicKeys, psks],
        );
        await client.query(
          `INSERT INTO lease (id, network_id, peer_id, host_number, ipv4, ipv6, owner_id)
           SELECT u.id, $1::uuid, u.id, u.host, u.ipv4, u.ipv6, $2
           FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[]) AS u(id, host, ipv4, ipv6)`,
          [network.id, ownerId, ids, hosts, ipv4s, ipv6s],
        );
        await client.query(
          `INSERT INTO audit_event (actor, action, network_id, target_type, target_id, details)
           SELECT $2, 'peer.enrolled', $1::uuid, 'peer', u.id, u.details::jsonb
           FROM unnest($3::text[], $4::text[]) AS u(id, details)`,
          [network.id, ownerId, ids, details],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      done += n;
      progress?.(done);
    }
    return done;
  } finally {
    await client.end();
  }
}
