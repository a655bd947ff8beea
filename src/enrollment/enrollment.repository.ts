import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { AUDIT_SQL, AuditRepository, type AuditInput } from '../audit/audit.repository';
import { postgresErrorCode, PrismaService, UNIQUE_VIOLATION, violatedConstraint } from '../database/prisma.service';
import { LIVE_STATUSES, type Delivery, type LiveStatus } from '../domain/peer/lifecycle';
import { formatIpv4, formatIpv6, parseIpv4Cidr, parseIpv6Cidr } from '../domain/ipam/cidr';
import type { NetworkSpec } from '../domain/network/network-spec';
import { DomainError, Problems } from '../domain/problems/problems';
import { allocateConfigName, configNamePrefix, configNameStem } from '../domain/text/text';
import { LEASE_SQL } from '../ipam/ipam.repository';
import { PEER_FIELDS, type PeerRecord } from '../peers/peers.repository';

/** The keys and delivery of a new or reissued peer, decided by the service. */
export interface KeyMaterial {
  publicKey: string;
  presharedKeyEnc: Uint8Array<ArrayBuffer>;
  privateKeyEnc: Uint8Array<ArrayBuffer> | null;
  status: LiveStatus;
  delivery: Delivery;
  claimTokenHash: string | null;
  claimExpiresAt: Date | null;
  servedAt: Date | null;
  /** The network's settings revision of the config served now (null: served later, by its claim). */
  settingsRevision: bigint | null;
}

/** Everything about a new peer except its address, which the lease decides. */
export interface PeerDraft extends KeyMaterial {
  id: string;
  name: string;
  ownerId: string;
  expiresAt: Date | null;
}

/** An Idempotency-Key for an enrollment: per credential (scope), with the request's hash. */
export interface IdempotencyInput {
  scope: string;
  key: string;
  requestHash: string;
  ttlMs: number;
}

/** What an earlier request with the same key left: its request hash and the peer it made. */
export interface IdempotentRecord {
  requestHash: string;
  peerId: string;
}

export interface EnrollCommand {
  network: Pick<NetworkSpec, 'ipv4Cidr' | 'ipv6Cidr'> & { id: string };
  pinnedHost: number | null;
  startHost: number;
  enrollmentKeyId: string | null;
  peer: PeerDraft;
  /** A self-service enrollment: at most this many live peers of this owner in the network. */
  deviceLimit?: number;
  /** The audit event; the leased addresses are added to its details. */
  event: AuditInput & { details: Record<string, unknown> };
  idempotency?: IdempotencyInput;
}

export type Enrolled = { kind: 'created'; peer: PeerRecord } | { kind: 'replay'; record: IdempotentRecord };

/** Two enrollments chose the same file name at once: the later one runs again. */
function configNameTaken(error: unknown): boolean {
  return postgresErrorCode(error) === UNIQUE_VIOLATION && violatedConstraint(error).includes('config_name');
}

/** How often an enrollment runs again after finding its file name taken. */
const CONFIG_NAME_ATTEMPTS = 5;

/** A second live peer with the same public key breaks a unique index: that is public-key-in-use. */
function publicKeyInUse(error: unknown): boolean {
  return postgresErrorCode(error) === UNIQUE_VIOLATION && violatedConstraint(error).includes('public_key');
}

/**
 * The key is in wg_key already and no live peer holds it (that is the peer index, checked
 * first): the hub holds it, set by a transaction that raced this one past the service's check.
 */
function publicKeyIsHubKey(error: unknown): boolean {
  return postgresErrorCode(error) === UNIQUE_VIOLATION && violatedConstraint(error).startsWith('wg_key');
}

/** The catalogue error behind a refused peer key, or the error itself. */
function keyProblem(error: unknown): unknown {
  if (publicKeyIsHubKey(error)) {
    return Problems.publicKeyIsHubKey();
  }
  return publicKeyInUse(error) ? Problems.publicKeyInUse() : error;
}

class Replay extends Error {
  constructor(readonly record: IdempotentRecord) {
    super('idempotent-replay');
  }
}

/**
 * The columns of a peer as PeerRecord names them (PEER_FIELDS), from a pg row: int8 comes as text.
 * Written by hand because this statement bypasses Prisma, which does the same mapping elsewhere.
 */
const PEER_RETURNING = `id::text, network_id::text AS "networkId", name, config_name AS "configName",
  owner_id AS "ownerId", host_number AS "hostNumber", ipv4, ipv6, public_key AS "publicKey",
  preshared_key_enc AS "presharedKeyEnc", status::text, delivery, claim_expires_at AS "claimExpiresAt",
  served_at AS "servedAt", expires_at AS "expiresAt", revoked_at AS "revokedAt",
  settings_revision::text AS "settingsRevision", revision::text, created_at AS "createdAt", updated_at AS "updatedAt"`;

type PeerRow = Omit<PeerRecord, 'settingsRevision' | 'revision'> & {
  settingsRevision: string | null;
  revision: string | null;
};

function peerRecord(row: PeerRow): PeerRecord {
  return {
    ...row,
    settingsRevision: row.settingsRevision === null ? null : BigInt(row.settingsRevision),
    revision: row.revision === null ? null : BigInt(row.revision),
  };
}

/**
 * The IPv6 text of `inet` as formatIpv6 (domain/ipam/cidr) writes it, RFC 5952. Postgres writes
 * the same, except in ::/96 (from ::1:0 on) and ::ffff:0:0/96, where it writes the last 32 bits
 * as a dotted IPv4 tail: those two blocks are written here from their two last groups.
 */
export function ipv6TextSql(inet: string): string {
  const low = `((${inet} - '::'::inet) & 4294967295)`;
  const hi = `to_hex(${low} >> 16)`;
  const lo = `to_hex(${low} & 65535)`;
  return `CASE
    WHEN ${inet} <<= '::ffff:0:0/96'::inet THEN '::ffff:' || ${hi} || ':' || ${lo}
    WHEN ${inet} <<= '::/96'::inet AND ${low} >= 65536 THEN '::' || ${hi} || ':' || ${lo}
    ELSE host(${inet}) END`;
}

/**
 * The lease and everything written with it, as one statement: takes the host from the
 * network's pre-filled free-address pool (LEASE_SQL.takeHost), inserts the peer at that host's
 * addresses, opens its lease history row (LEASE_SQL.openLease) and writes the audit event,
 * whose details get the addresses. No host: no row back and nothing written. Parameters: see
 * `enroll`. The addresses are the database's inet arithmetic on the network's base addresses,
 * formatted as peerAddresses formats them (test/e2e/enroll-statement.e2e.spec.ts compares both).
 */
const ENROLL_SQL = `WITH host AS (
    ${LEASE_SQL.takeHost('$1::uuid', '$2::int', '$3::int')}
  ),
  addr AS (
    SELECT host.host_number, host($4::inet + host.host_number) AS ipv4,
      CASE WHEN $5::inet IS NULL THEN NULL ELSE ${ipv6TextSql('($5::inet + host.host_number)')} END AS ipv6
    FROM host
  ),
  p AS (
    INSERT INTO peer (id, network_id, name, config_name, owner_id, host_number, ipv4, ipv6, public_key,
      preshared_key_enc, private_key_enc, status, delivery, claim_token_hash, claim_expires_at, served_at,
      expires_at, settings_revision, revision, created_at, updated_at)
    SELECT $6::uuid, $1::uuid, $7, $8, $9, addr.host_number, addr.ipv4, addr.ipv6, $10,
      $11::bytea, $12::bytea, $13::peer_status, $14, $15, $16::timestamptz, $17::timestamptz,
      $18::timestamptz, $19::bigint, 0, coalesce($17::timestamptz, now()), coalesce($17::timestamptz, now())
    FROM addr
    RETURNING *
  ),
  l AS (
    ${LEASE_SQL.openLease('p')}
  ),
  e AS (
    ${AUDIT_SQL.insert("SELECT $20, $21, $1::uuid, $22, $23, $24::jsonb || jsonb_build_object('ipv4', p.ipv4, 'ipv6', p.ipv6) FROM p")}
  )
  SELECT ${PEER_RETURNING} FROM p`;

/** What the enrollment's statements run on: one pg connection (a transaction) or the pool (one statement). */
type Queryable = Pick<PoolClient, 'query'>;

@Injectable()
export class EnrollmentRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
  ) {}

  /**
   * Leases an address and creates the peer in one transaction (invariant 1: the lease comes
   * from the free-address pool under FOR UPDATE SKIP LOCKED, unique indexes on live peers back
   * it up). The enrollment key's use is counted last, in the same transaction, so a failed
   * enrollment spends nothing and the key's row is locked only briefly. Failures are
   * DomainErrors (nothing is kept); a retry with a known Idempotency-Key gives the earlier
   * record back instead.
   */
  async enroll(command: EnrollCommand): Promise<Enrolled> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.enrollOnce(command, attempt > 1);
      } catch (error) {
        if (!configNameTaken(error) || attempt >= CONFIG_NAME_ATTEMPTS) {
          throw error;
        }
      }
    }
  }

  /**
   * Through pg rather than Prisma (the CPU profile of an enrollment was mostly Prisma's
   * interactive transaction and the syscalls of its six round trips): an enrollment that needs
   * nothing but the lease is one statement, which is its own transaction; one that also claims
   * an Idempotency-Key, checks a device limit, looks for a free file name or spends an
   * enrollment key runs those statements and that one in BEGIN … COMMIT on one connection.
   */
  private async enrollOnce(command: EnrollCommand, nameTaken: boolean): Promise<Enrolled> {
    const alone =
      command.idempotency === undefined &&
      command.deviceLimit === undefined &&
      command.enrollmentKeyId === null &&
      !nameTaken;
    try {
      const peer = alone
        ? await this.lease(this.prisma.pool, command, allocateConfigName(command.peer.name, new Set()))
        : await this.inTransaction((client) => this.enrollInTransaction(client, command, nameTaken));
      return { kind: 'created', peer };
    } catch (error) {
      if (error instanceof Replay) {
        return { kind: 'replay', record: error.record };
      }
      throw keyProblem(error);
    }
  }

  private async enrollInTransaction(
    client: Queryable,
    command: EnrollCommand,
    nameTaken: boolean,
  ): Promise<PeerRecord> {
    if (command.idempotency) {
      await this.claimIdempotencyKey(client, command.idempotency, command.peer.id);
    }
    const networkId = command.network.id;
    if (command.deviceLimit !== undefined) {
      await this.refuseOverLimit(client, networkId, command.peer.ownerId, command.deviceLimit);
    }
    const configName = nameTaken
      ? await this.freeConfigName(client, networkId, command.peer.name)
      : allocateConfigName(command.peer.name, new Set());
    const peer = await this.lease(client, command, configName);
    if (command.enrollmentKeyId !== null) {
      await this.spendEnrollmentKey(client, command.enrollmentKeyId);
    }
    return peer;
  }

  /** BEGIN … COMMIT on one pooled connection; ROLLBACK when `work` throws. */
  private async inTransaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    const client = await this.prisma.pool.connect();
    let broken: Error | undefined;
    // The connection can die between two statements (database restart): pg then emits 'error' on
    // the checked-out client, which must not crash the process; the next query fails as
    // database-unavailable and the connection is not given back to the pool.
    const lost = (error: Error) => {
      broken = error;
    };
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => {
          broken = rollback; // a connection that cannot roll back is not given back to the pool
        });
        throw error;
      }
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** The lease statement (ENROLL_SQL): the new peer, or address-unavailable / pool-exhausted. */
  private async lease(db: Queryable, command: EnrollCommand, configName: string): Promise<PeerRecord> {
    const { network, peer, event } = command;
    const { name, ...rest } = event.details;
    const { rows } = await db.query<PeerRow>({
      name: 'enrollment-lease',
      text: ENROLL_SQL,
      values: [
        network.id,
        command.pinnedHost,
        command.startHost,
        formatIpv4(parseIpv4Cidr(network.ipv4Cidr).base),
        network.ipv6Cidr ? formatIpv6(parseIpv6Cidr(network.ipv6Cidr).base) : null,
        peer.id,
        peer.name,
        configName,
        peer.ownerId,
        peer.publicKey,
        Buffer.from(peer.presharedKeyEnc),
        peer.privateKeyEnc === null ? null : Buffer.from(peer.privateKeyEnc),
        peer.status,
        peer.delivery,
        peer.claimTokenHash,
        peer.claimExpiresAt,
        // A config served in the response is served as the peer is created: one instant for both.
        peer.servedAt,
        peer.expiresAt,
        peer.settingsRevision === null ? null : peer.settingsRevision.toString(),
        event.actor,
        event.action,
        event.targetType ?? null,
        event.targetId ?? null,
        JSON.stringify({ name, ...rest }),
      ],
    });
    if (rows.length === 0) {
      throw command.pinnedHost === null ? Problems.poolExhausted() : Problems.addressUnavailable();
    }
    return peerRecord(rows[0]);
  }

  /**
   * Counts the owner's live peers under a transaction-scoped advisory lock on (network, owner),
   * so two enrollments of one person at once cannot both take the last place. Two statements:
   * the count's snapshot must be taken after the lock is held.
   */
  private async refuseOverLimit(db: Queryable, networkId: string, ownerId: string, limit: number): Promise<void> {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`devices:${networkId}:${ownerId}`]);
    const { rows } = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM peer
      WHERE network_id = $1::uuid AND owner_id = $2 AND status IN ('pending', 'active')`,
      [networkId, ownerId],
    );
    const { count } = rows[0];
    if (count >= limit) {
      throw new DomainError('device-limit-reached', `You have ${count} of ${limit} devices here: revoke one first.`, {
        limit,
      });
    }
  }

  /** New keys for a live peer; the old public key leaves the desired state in the same commit. */
  async rekey(id: string, material: KeyMaterial, event: AuditInput): Promise<PeerRecord> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const rows = await tx.peer.updateManyAndReturn({
          where: { id, status: { in: [...LIVE_STATUSES] } },
          // New keys: a new device as far as the hub can tell, so its handshake record and any
          // duplicate flag start over.
          data: {
            ...material,
            updatedAt: new Date(),
            flaggedAt: null,
            flagReason: null,
            quarantined: false,
            endpointHistory: [],
            endpoint: null,
            firstHandshakeAt: null,
            lastHandshakeAt: null,
          },
          select: PEER_FIELDS,
        });
        if (rows.length === 0) {
          throw Problems.peerNotLive('The peer was revoked or expired meanwhile.');
        }
        await this.audit.record(event, tx);
        return rows[0] as PeerRecord;
      });
    } catch (error) {
      throw keyProblem(error);
    }
  }

  /**
   * The device's file name once its first choice was taken (allocateConfigName): the first try
   * of an enrollment takes the name itself (its stem) and reads nothing, and the unique index
   * says when it is taken — most devices have names of their own, and reading every live name
   * of a prefix costs each enrollment a scan of the network ("node-1" … "node-60000" share one),
   * while a lock per prefix made them take turns. Enrollments whose names met take turns here
   * through a transaction lock, so the later one reads the earlier one's committed name; the
   * unique index stays the guarantee (a lost race runs the enrollment again).
   */
  private async freeConfigName(db: Queryable, networkId: string, device: string): Promise<string> {
    const prefix = configNamePrefix(configNameStem(device));
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`config-name:${networkId}:${prefix}`]);
    const { rows } = await db.query<{ config_name: string }>(
      `SELECT config_name FROM peer
      WHERE network_id = $1::uuid AND status IN ('pending', 'active') AND left(config_name, $2) = $3`,
      [networkId, prefix.length, prefix],
    );
    return allocateConfigName(device, new Set(rows.map((r) => r.config_name)));
  }

  private async spendEnrollmentKey(db: Queryable, enrollmentKeyId: string): Promise<void> {
    const { rowCount } = await db.query(
      `UPDATE enrollment_key SET uses = uses + 1
      WHERE id = $1::uuid AND revoked_at IS NULL AND uses < max_uses AND (expires_at IS NULL OR expires_at > now())`,
      [enrollmentKeyId],
    );
    if (rowCount === 0) {
      throw Problems.enrollmentKeySpent();
    }
  }

  /**
   * First statement of an enrollment with an Idempotency-Key. The insert waits on the primary
   * key while another transaction holds the same (scope, key); once that one commits, the key is
   * taken and its record comes back as a replay (this transaction did nothing yet); if it
   * rolled back, this one proceeds. An expired row is replaced.
   */
  private async claimIdempotencyKey(db: Queryable, k: IdempotencyInput, peerId: string): Promise<void> {
    await db.query('DELETE FROM idempotency_key WHERE scope = $1 AND key = $2 AND expires_at <= now()', [
      k.scope,
      k.key,
    ]);
    const { rowCount } = await db.query(
      `INSERT INTO idempotency_key (scope, key, request_hash, peer_id, expires_at)
      VALUES ($1, $2, $3, $4::uuid, now() + $5 * interval '1 millisecond')
      ON CONFLICT (scope, key) DO NOTHING`,
      [k.scope, k.key, k.requestHash, peerId, k.ttlMs],
    );
    if (rowCount === 1) {
      return;
    }
    const { rows } = await db.query<{ request_hash: string; peer_id: string }>(
      'SELECT request_hash, peer_id::text FROM idempotency_key WHERE scope = $1 AND key = $2',
      [k.scope, k.key],
    );
    const [row] = rows;
    if (row === undefined) {
      // Expired and pruned between the two statements (a race of milliseconds): ask for a retry.
      throw new DomainError('idempotency-key-busy', 'Send the request again.');
    }
    throw new Replay({ requestHash: row.request_hash, peerId: row.peer_id });
  }
}
